// Device-sharing rings, drawn: the graph form of ../02_device_sharing_rings.cypher for Neo4j Browser. The same
// rules pick and rank the devices; for the top $rings of them (highest suspicion) it returns paths: the users of
// the burst on the device, their accounts, the money between those accounts and the IPs two or more of them share.
// Parameters: those of 02 (see there), and $rings (int): how many rings to draw.
// :param {min_users: 3, window_days: 14, household_days: 30, max_household_share: 0.5, rings: 1}
MATCH (d:Device)<-[use:USES_DEVICE]-(:User)
WITH d, collect(use.first_seen) AS seen, min(use.first_seen) AS born, max(use.last_seen) AS died
WHERE size(seen) >= $min_users
UNWIND seen AS opening
WITH d, seen, born, died, opening, [t IN seen WHERE opening <= t < opening + duration({days: $window_days})] AS burst
ORDER BY size(burst) DESC
WITH d, seen, born, died, head(collect(opening)) AS window_start, max(size(burst)) AS users_in_window
WHERE users_in_window >= $min_users
MATCH (d)<-[use:USES_DEVICE]-(u:User)
WHERE window_start <= use.first_seen < window_start + duration({days: $window_days})
WITH d, born, died, window_start, users_in_window, size(seen) AS users_ever, collect(u) AS users
CALL (users) {
  UNWIND users AS member
  MATCH (member)-[home:USES_IP]->(ip:IP {connection_type: 'residential'})
  WHERE home.last_seen >= home.first_seen + duration({days: $household_days})
  WITH ip, count(member) AS together
  RETURN coalesce(max(together), 0) AS largest_household
}
WITH d, born, died, window_start, users_in_window, users_ever, users, largest_household
WHERE largest_household <= $max_household_share * users_in_window
CALL (users) {
  UNWIND users AS member
  MATCH (member)-[:HAS_ACCOUNT]->(:Account)-[:TRANSFERS_TO]->(payee:Account)
  WHERE payee.account_type <> 'business'
  WITH payee, count(DISTINCT member) AS payers
  RETURN coalesce(max(payers), 0) AS shared_payee
}
WITH d, window_start, users_in_window, users_ever, users, largest_household,
     toFloat(users_in_window) / users_ever AS burst_share,
     toFloat($window_days) / (duration.inSeconds(born, died).seconds / 86400.0 + $window_days) AS short_life,
     toFloat(shared_payee) / users_in_window AS payee_share
WITH d, users, burst_share + short_life + payee_share AS suspicion
ORDER BY suspicion DESC, d.device_id
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
