// Drill-down of one suspected ring, around one user: the devices and IPs they share with at most
// $max_sharers others, those other users and when they used them, everyone's accounts, and the money
// that moved between those accounts. Returns paths: switch to the graph view in Neo4j Browser.
// $user_id null (the default) starts from the first user (who paid someone) of the tightest burst: the short-lived device
// whose 3 to $max_sharers users first appeared within the shortest span, as at the top of 05; or
// take a user id from the top row of 02, 03 or 05.
// Parameters: $user_id (int or null), $max_sharers (int).
// :param {user_id: null, max_sharers: 40}
WITH coalesce($user_id, head(COLLECT {
  MATCH (d:Device)<-[use:USES_DEVICE]-(u:User)
  WITH d, u, use ORDER BY use.first_seen, u.user_id
  WITH d, collect(u.user_id) AS users, min(use.first_seen) AS first, max(use.first_seen) AS last, max(use.last_seen) AS gone
  WHERE 3 <= size(users) <= toInteger($max_sharers)
  RETURN head([id IN users WHERE EXISTS { (:User {user_id: id})-[:HAS_ACCOUNT]->(:Account)-[:TRANSFERS_TO]->() }])
  ORDER BY size(users) / (1.0 + duration.inSeconds(first, last).seconds / 86400.0)
                           / (1.0 + duration.inSeconds(first, gone).seconds / 2592000.0) DESC, d.device_id LIMIT 1
})) AS start_id
MATCH (u:User {user_id: start_id})
OPTIONAL MATCH shared = (u)-[:USES_DEVICE|USES_IP]->(s)<-[:USES_DEVICE|USES_IP]-(other:User)
WHERE COUNT { (s)<-[:USES_DEVICE|USES_IP]-(:User) } <= toInteger($max_sharers)
WITH u, collect(shared) AS shared_paths, collect(DISTINCT other) + [u] AS people
UNWIND people AS person
MATCH owns = (person)-[:HAS_ACCOUNT]->(a:Account)
WITH shared_paths, people, collect(owns) AS account_paths, collect(a) AS accounts
OPTIONAL MATCH money = (x:Account)-[:TRANSFERS_TO]->(y:Account)
WHERE x IN accounts AND y IN accounts
RETURN shared_paths, account_paths, collect(money) AS money_paths, [p IN people | p.user_id] AS user_ids;
