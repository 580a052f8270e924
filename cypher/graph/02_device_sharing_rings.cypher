// Device-sharing rings, drawn: the graph form of ../02_device_sharing_rings.cypher for Neo4j Browser. The same
// rules pick the devices; for the top $rings of them (most users in the burst) it returns paths: the users on
// the device, their accounts, the money between those accounts and the IPs two or more of them share.
// Parameters: those of 02 (see there), and $rings (int): how many rings to draw.
// :param {min_users: 6, window_days: 7, min_share: 0.6, household_days: 30, max_household_share: 0.5, rings: 1}
MATCH (d:Device)<-[use:USES_DEVICE]-(:User)
WITH d, collect(use.first_seen) AS seen
WHERE size(seen) >= $min_users
UNWIND seen AS opening
WITH d, seen, opening, [t IN seen WHERE opening <= t < opening + duration({days: $window_days})] AS burst
ORDER BY size(burst) DESC
WITH d, seen, head(collect(opening)) AS window_start, max(size(burst)) AS users_in_window
WHERE users_in_window >= $min_users AND toFloat(users_in_window) / size(seen) >= $min_share
MATCH (d)<-[use:USES_DEVICE]-(u:User)
WHERE window_start <= use.first_seen < window_start + duration({days: $window_days})
WITH d, window_start, users_in_window, size(seen) AS users_ever, collect(u) AS users
CALL (users) {
  UNWIND users AS member
  MATCH (member)-[home:USES_IP]->(ip:IP {connection_type: 'residential'})
  WHERE home.last_seen >= home.first_seen + duration({days: $household_days})
  WITH ip, count(member) AS together
  RETURN coalesce(max(together), 0) AS largest_household
}
WITH d, window_start, users_in_window, users_ever, users, largest_household
WHERE largest_household <= $max_household_share * users_in_window
WITH d, users
ORDER BY size(users) DESC, d.device_id
LIMIT toInteger($rings)
CALL (d, users) {
  UNWIND users AS u
  MATCH p = (u)-[:USES_DEVICE]->(d)
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
  UNION
  UNWIND users AS u
  MATCH p = (u)-[:USES_IP]->(:IP)<-[:USES_IP]-(v:User)
  WHERE v IN users
  RETURN p
}
RETURN p;
