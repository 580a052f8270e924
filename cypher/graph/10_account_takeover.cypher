// Account takeover, drawn: the graph form of ../10_account_takeover.cypher for Neo4j Browser. The same rules pick
// and rank the devices; for the top $rings of them (highest suspicion) it returns paths: the customers on the
// device, their identity changes and payee additions from it, the accounts added as payees and who owns them,
// and the money from the customers' accounts to those payees.
// Parameters: those of 10 (see there), and $rings (int): how many devices to draw.
// :param {within_hours: 72, min_customer_days: 30, rings: 1}
MATCH (u:User)-[use:USES_DEVICE]->(d:Device)
WHERE use.first_seen >= u.created_at + duration({days: $min_customer_days})
MATCH (u)-[:PERFORMED]->(e:Event)-[:VIA_DEVICE]->(d)
WHERE use.first_seen <= e.ts <= use.first_seen + duration({hours: $within_hours})
WITH d, u, use, sum(CASE WHEN e.event_type IN ['email_change', 'phone_change'] THEN 1 ELSE 0 END) AS changes,
     sum(CASE WHEN e.event_type = 'payee_added' THEN 1 ELSE 0 END) AS payees
WHERE payees > 0
WITH d, collect({user: u, since: use.first_seen}) AS taken, avg(CASE WHEN changes > 0 THEN 1.0 ELSE 0.0 END) AS changed,
     avg(CASE WHEN payees >= 3 THEN 1.0 ELSE payees / 3.0 END) AS burst
WITH d, taken, changed + burst + 1.0 - 1.0 / size(taken) AS suspicion
ORDER BY suspicion DESC, d.device_id
LIMIT toInteger($rings)
CALL (d, taken) {
  UNWIND taken AS t
  WITH t.user AS u, t.since AS since
  MATCH p = (u)-[:USES_DEVICE]->(d)
  RETURN p
  UNION
  UNWIND taken AS t
  WITH t.user AS u, t.since AS since
  MATCH p = (u)-[:PERFORMED]->(e:Event)-[:VIA_DEVICE]->(d)
  WHERE since <= e.ts <= since + duration({hours: $within_hours})
  RETURN p
  UNION
  UNWIND taken AS t
  WITH t.user AS u, t.since AS since
  MATCH p = (u)-[:PERFORMED]->(e:Event)-[:ADDS_PAYEE]->(:Account)<-[:HAS_ACCOUNT]-(:User)
  WHERE since <= e.ts <= since + duration({hours: $within_hours})
  RETURN p
  UNION
  UNWIND taken AS t
  WITH t.user AS u, t.since AS since
  MATCH (u)-[:PERFORMED]->(e:Event)-[:ADDS_PAYEE]->(payee:Account)
  WHERE since <= e.ts <= since + duration({hours: $within_hours})
  MATCH p = (u)-[:HAS_ACCOUNT]->(:Account)-[:TRANSFERS_TO]->(payee)
  RETURN p
}
RETURN p;
