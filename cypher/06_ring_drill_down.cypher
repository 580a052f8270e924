// Drill-down of one suspected ring, around one user: the devices and IPs they share with at most
// $max_sharers others, those other users and when they used them, everyone's accounts, and the money
// that moved between those accounts. Returns paths: switch to the graph view in Neo4j Browser.
// Parameters: $user_id (int), $max_sharers (int).
// :param {user_id: 0, max_sharers: 40}
MATCH (u:User {user_id: $user_id})
OPTIONAL MATCH shared = (u)-[:USES_DEVICE|USES_IP]->(s)<-[:USES_DEVICE|USES_IP]-(other:User)
WHERE COUNT { (s)<-[:USES_DEVICE|USES_IP]-(:User) } <= $max_sharers
WITH u, collect(shared) AS shared_paths, collect(DISTINCT other) + [u] AS people
UNWIND people AS person
MATCH owns = (person)-[:HAS_ACCOUNT]->(a:Account)
WITH shared_paths, people, collect(owns) AS account_paths, collect(a) AS accounts
OPTIONAL MATCH money = (x:Account)-[:TRANSFERS_TO]->(y:Account)
WHERE x IN accounts AND y IN accounts
RETURN shared_paths, account_paths, collect(money) AS money_paths, [p IN people | p.user_id] AS user_ids;
