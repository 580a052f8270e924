// Device-sharing rings: devices on which many distinct users first show up within a few days.
// Legitimate look-alikes: a family tablet has a handful of users over years; a library PC or shop kiosk has
// many users, but spread over the whole horizon. So a device is flagged only when at least $min_users users
// first used it within $window_days days of each other AND those users are at least $min_share of all the
// users it ever had. Returns one row per flagged device with the users in its busiest window.
// Parameters: $min_users (int), $window_days (int), $min_share (float in 0..1).
// :param {min_users: 6, window_days: 7, min_share: 0.6}
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
RETURN d.device_id AS device_id, d.device_type AS device_type, window_start, users_in_window,
       size(seen) AS users_ever, collect(u.user_id) AS user_ids
ORDER BY users_in_window DESC, device_id;
