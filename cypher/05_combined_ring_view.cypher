// Combined ring view: users tied together through the devices and IPs they share, grouped into components.
// A device, or an IP of a type in $ip_types, links its users when it has between 2 and $max_sharers of them:
// families and rings share such nodes; carrier NAT, offices and big VPN exits would tie strangers together.
// A user's component is named after the smallest user id reachable within four shared nodes.
// Returns components of at least $min_size users, largest first. (With the GDS plugin, the same grouping
// is `gds.wcc` on the projection of these links.)
// Parameters: $max_sharers (int), $ip_types (list of strings), $min_size (int).
// :param {max_sharers: 40, ip_types: ['residential', 'hosting'], min_size: 3}
MATCH (s)<-[:USES_DEVICE|USES_IP]-(:User)
WHERE s:Device OR (s:IP AND s.connection_type IN $ip_types)
WITH s, count(*) AS sharers
WHERE 2 <= sharers <= $max_sharers
WITH collect(s) AS shared
UNWIND shared AS s
MATCH (s)<-[:USES_DEVICE|USES_IP]-(u:User)
WITH DISTINCT u, shared
MATCH (u) ((:User)-[:USES_DEVICE|USES_IP]->(link)<-[:USES_DEVICE|USES_IP]-(:User)){0,4} (v:User)
WHERE all(n IN link WHERE n IN shared)
WITH u, min(v.user_id) AS component
WITH component, collect(u.user_id) AS user_ids
WHERE size(user_ids) >= $min_size
MATCH (member:User)-[:USES_DEVICE|USES_IP]->(s)
WHERE member.user_id IN user_ids
WITH component, user_ids, collect(DISTINCT s) AS nodes
RETURN component, size(user_ids) AS users, user_ids,
       [n IN nodes WHERE n:Device | n.device_id] AS device_ids, [n IN nodes WHERE n:IP | n.ip_id] AS ip_ids
ORDER BY users DESC, component;
