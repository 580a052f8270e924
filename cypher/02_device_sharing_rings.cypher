// Device-sharing rings: devices on which many distinct users first show up within a few days.
// Legitimate look-alikes: a library PC or shop kiosk has many users, but spread over the whole horizon; a
// family tablet is picked up by the whole household at once, but a household also shares a home IP for
// months. So a device is flagged when at least $min_users users first used it within $window_days days of
// each other, those users are at least $min_share of all it ever had, and no more than $max_household_share
// of them shared one residential IP for $household_days days or longer. One row per flagged device.
// Parameters: $min_users (int), $window_days (int), $min_share (float in 0..1), $household_days (int),
// $max_household_share (float in 0..1).
// :param {min_users: 6, window_days: 7, min_share: 0.6, household_days: 30, max_household_share: 0.5}
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
RETURN d.device_id AS device_id, d.device_type AS device_type, window_start, users_in_window, users_ever,
       largest_household, [u IN users | u.user_id] AS user_ids
ORDER BY users_in_window DESC, device_id;
