// Bust-out, drawn: the graph form of ../11_bust_out.cypher for Neo4j Browser. The same rules pick and rank the
// shared phones, addresses and devices; for the top $rings of them (highest suspicion) it returns paths: the
// users giving it, their credit cards and the shops the cards paid, and every returned payment of theirs.
// Parameters: those of 11 (see there), and $rings (int): how many shared phones, addresses or devices to draw.
// :param {signup_days: 30, spike_days: 7, max_users: 12, rings: 1}
MATCH (f)<-[:HAS_PHONE|LIVES_AT|USES_DEVICE]-(u:User)
WITH f, collect(DISTINCT u) AS users
WHERE 2 <= size(users) <= $max_users
WITH f, users, reduce(lo = users[0].created_at, u IN users | CASE WHEN u.created_at < lo THEN u.created_at ELSE lo END) AS first,
     reduce(hi = users[0].created_at, u IN users | CASE WHEN u.created_at > hi THEN u.created_at ELSE hi END) AS last
WHERE last <= first + duration({days: $signup_days})
UNWIND users AS u
CALL (u) {
  OPTIONAL MATCH (u)-[:HAS_ACCOUNT]->(c:Account {account_type: 'credit_card'})-[:SENT]->(t:Transaction {status: 'completed'})
  WITH c, collect(t) AS paid
  UNWIND paid AS t0
  WITH c, reduce(s = 0.0, t IN paid | s + CASE WHEN t0.ts <= t.ts < t0.ts + duration({days: $spike_days})
                                              THEN t.amount ELSE 0.0 END) AS spent
  RETURN coalesce(max(spent / c.credit_limit), 0.0) AS peak
}
WITH f, first, last, u, peak,
     EXISTS { (u)-[:HAS_ACCOUNT]->(:Account)-[:SENT]->(:Transaction {status: 'returned'}) } AS returned
WITH f, first, last, collect(u) AS users, avg(CASE WHEN peak > 1.0 THEN 1.0 ELSE peak END) AS spent,
     avg(CASE WHEN returned THEN 1.0 ELSE 0.0 END) AS bounced
WITH f, users, spent + bounced + 1.0 - duration.inSeconds(first, last).seconds / (86400.0 * $signup_days) AS suspicion
ORDER BY suspicion DESC, elementId(f)
LIMIT toInteger($rings)
CALL (f, users) {
  UNWIND users AS u
  MATCH p = (u)-[:HAS_PHONE|LIVES_AT|USES_DEVICE]->(f)
  RETURN p
  UNION
  UNWIND users AS u
  MATCH p = (u)-[:HAS_ACCOUNT]->(:Account {account_type: 'credit_card'})-[:TRANSFERS_TO]->(:Account)
  RETURN p
  UNION
  UNWIND users AS u
  MATCH p = (u)-[:HAS_ACCOUNT]->(:Account)-[:SENT]->(:Transaction {status: 'returned'})-[:RECEIVED_BY]->(:Account)
  RETURN p
}
RETURN p;
