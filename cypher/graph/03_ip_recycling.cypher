// IP recycling, drawn: the graph form of ../03_ip_recycling.cypher for Neo4j Browser. The same rules pick the
// IPs; for the top $rings of them (most successive users) it returns paths: the users who held the IP one
// after the other, the other IPs two or more of them held (the rest of the pool), their accounts and the money
// between those accounts.
// Parameters: those of 03 (see there), and $rings (int): how many IPs to draw.
// :param {min_users: 3, max_gap_hours: 24, rings: 1}
MATCH (ip:IP)<-[use:USES_IP]-(u:User)
WITH ip, use, u
ORDER BY use.first_seen
WITH ip, collect({user_id: u.user_id, first_seen: use.first_seen, last_seen: use.last_seen}) AS holders
WHERE size(holders) >= $min_users
  AND all(i IN range(0, size(holders) - 2)
          WHERE holders[i].last_seen < holders[i + 1].first_seen
            AND holders[i + 1].first_seen <= holders[i].last_seen + duration({hours: $max_gap_hours}))
WITH ip, [h IN holders | h.user_id] AS ids
ORDER BY size(ids) DESC, ip.ip_id
LIMIT toInteger($rings)
MATCH (u:User) WHERE u.user_id IN ids
WITH ip, collect(u) AS users
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
