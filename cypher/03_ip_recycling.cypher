// IP recycling: IPs passed from user to user in successive, non-overlapping windows.
// Legitimate look-alikes: an ISP hands a home IP from one household to the next (two users, one after the
// other); carrier NAT, offices, VPN exits and Wi-Fi hotspots have many users at the same time. So an IP is
// flagged when it had at least $min_users users, no two of them at once, each taking over within
// $max_gap_hours of the previous one. Returns one row per flagged IP, users in the order they held it.
// Parameters: $min_users (int), $max_gap_hours (int).
// :param {min_users: 3, max_gap_hours: 24}
MATCH (ip:IP)<-[use:USES_IP]-(u:User)
WITH ip, use, u
ORDER BY use.first_seen
WITH ip, collect({user_id: u.user_id, first_seen: use.first_seen, last_seen: use.last_seen}) AS holders
WHERE size(holders) >= $min_users
  AND all(i IN range(0, size(holders) - 2)
          WHERE holders[i].last_seen < holders[i + 1].first_seen
            AND holders[i + 1].first_seen <= holders[i].last_seen + duration({hours: $max_gap_hours}))
RETURN ip.ip_id AS ip_id, ip.address AS address, ip.connection_type AS connection_type, ip.is_vpn AS is_vpn,
       size(holders) AS successive_users, [h IN holders | h.user_id] AS user_ids,
       head(holders).first_seen AS first_seen, last(holders).last_seen AS last_seen
ORDER BY successive_users DESC, ip_id;
