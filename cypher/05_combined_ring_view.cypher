// Combined ring view: groups of users tied together by the small devices and IPs they share, most suspicious
// first. A device, or an IP of a type in $ip_types, is "small" when it has 2 to $max_sharers users (carrier
// NAT, offices and big VPN exits would tie strangers together). Each small node whose users all first appeared
// within the shortest span seeds a group: its users, plus everyone sharing another small node with them.
// Groups of $min_size to $max_size users are kept and ranked by suspicion: the seed's users per day of
// first-seen spread, divided by its lifetime in months, so that a burst of new users on a short-lived device
// beats a family that has shared a tablet for years. Returns the top $limit groups. (With the GDS plugin, whole components come from `gds.wcc` on a projection of these links.)
// Parameters: $max_sharers (int), $ip_types (list of strings), $min_size (int), $max_size (int), $limit (int).
// :param {max_sharers: 40, ip_types: ['residential', 'hosting'], min_size: 3, max_size: 60, limit: 25}
MATCH (seed)<-[link:USES_DEVICE|USES_IP]-(:User)
WHERE seed:Device OR (seed:IP AND seed.connection_type IN $ip_types)
WITH seed, count(*) AS sharers, min(link.first_seen) AS first, max(link.first_seen) AS last, max(link.last_seen) AS gone
WHERE 2 <= sharers <= toInteger($max_sharers)
WITH seed, sharers, duration.inSeconds(first, last).seconds / 86400.0 AS spread_days,
     duration.inSeconds(first, gone).seconds / 2592000.0 AS months
WITH seed, sharers, spread_days, sharers / (1.0 + spread_days) / (1.0 + months) AS suspicion
ORDER BY suspicion DESC
LIMIT toInteger($limit) * 4
MATCH (seed)<-[:USES_DEVICE|USES_IP]-(u:User)
OPTIONAL MATCH (u)-[:USES_DEVICE|USES_IP]->(other)<-[:USES_DEVICE|USES_IP]-(v:User)
WHERE other <> seed AND (other:Device OR (other:IP AND other.connection_type IN $ip_types))
  AND COUNT { (other)<-[:USES_DEVICE|USES_IP]-(:User) } <= toInteger($max_sharers)
WITH seed, suspicion, spread_days, collect(DISTINCT u) + collect(DISTINCT v) AS people
UNWIND people AS person
WITH seed, suspicion, spread_days, collect(DISTINCT person.user_id) AS user_ids
WHERE toInteger($min_size) <= size(user_ids) <= toInteger($max_size)
RETURN coalesce(seed.device_id, seed.ip_id) AS seed_id, CASE WHEN seed:Device THEN 'device' ELSE 'ip' END AS seed_type,
       round(suspicion, 2) AS suspicion, round(spread_days, 1) AS first_seen_spread_days, size(user_ids) AS users, user_ids
ORDER BY suspicion DESC, users DESC, seed_id
LIMIT toInteger($limit);
