// IP recycling, drawn: the graph form of ../03_ip_recycling.cypher for Neo4j Browser. The same rules pick and
// rank the IPs; for the top $rings of them (highest suspicion) it returns paths: the users who held the IP one
// after the other, the other IPs two or more of them held (the rest of the pool), their accounts and the money
// between those accounts.
// Parameters: those of 03 (see there), and $rings (int): how many IPs to draw.
// :param {min_users: 3, max_gap_hours: 48, max_overlap_hours: 24, rings: 1}
MATCH (ip:IP)<-[use:USES_IP]-(u:User)
WITH ip, use, u
ORDER BY use.first_seen
WITH ip, collect({user: u, first_seen: use.first_seen, last_seen: use.last_seen}) AS holders
WHERE size(holders) >= $min_users
  AND all(i IN range(0, size(holders) - 2)
          WHERE holders[i].last_seen - duration({hours: $max_overlap_hours}) <= holders[i + 1].first_seen
                <= holders[i].last_seen + duration({hours: $max_gap_hours}))
WITH ip, holders, [h IN holders | h.user] AS users
CALL (ip, users) {
  UNWIND users AS holder
  OPTIONAL MATCH (holder)-[:USES_IP]->(other:IP)<-[:USES_IP]-(again:User)
  WHERE other <> ip AND again IN users AND again <> holder AND COUNT { (other)<-[:USES_IP]-() } <= 50
  WITH holder, count(other) > 0 AS met
  RETURN sum(CASE WHEN met THEN 1 ELSE 0 END) AS holders_met
}
CALL (users) {
  UNWIND users AS member
  MATCH (member)-[:HAS_ACCOUNT]->(:Account)-[:TRANSFERS_TO]->(payee:Account)
  WHERE payee.account_type <> 'business'
  WITH payee, count(DISTINCT member) AS payers
  RETURN coalesce(max(payers), 0) AS shared_payee
}
WITH ip, holders, users, toFloat(holders_met) / size(users) AS met_again, toFloat(shared_payee) / size(users) AS payee_share,
     CASE WHEN ip.is_hosting OR ip.is_vpn THEN 1.0 WHEN ip.connection_type = 'residential' THEN 0.5 ELSE 0.0 END AS proxy
WITH ip, users, met_again + payee_share + proxy AS suspicion
ORDER BY suspicion DESC, ip.ip_id
LIMIT toInteger($rings)
CALL (ip, users) {
  UNWIND users AS u
  MATCH p = (u)-[:USES_IP]->(ip)
  RETURN p
  UNION
  UNWIND users AS u
  MATCH p = (u)-[:USES_IP]->(:IP)<-[:USES_IP]-(v:User)
  WHERE v IN users
  RETURN p
  UNION
  UNWIND users AS u
  MATCH p = (u)-[:HAS_ACCOUNT]->(:Account)
  RETURN p
  UNION
  UNWIND users AS u
  MATCH p = (u)-[:HAS_ACCOUNT]->(:Account)-[:TRANSFERS_TO]->(:Account)<-[:HAS_ACCOUNT]-(v:User)
  WHERE v IN users
  RETURN p
}
RETURN p;
