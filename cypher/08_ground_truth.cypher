// Ground truth, for evaluation only (an investigator would not have it): the planted rings with their
// typology, active window and members per node type and role, to compare the detection queries against.
// Parameters: $typology (string, or null for all).
// :param {typology: null}
MATCH (r:Ring)
WHERE $typology IS NULL OR r.typology = $typology
MATCH (r)<-[m:MEMBER_OF]-(n)
WITH r, head(labels(n)) AS label, m.role AS role, collect(coalesce(n.user_id, n.account_id, n.device_id, n.ip_id)) AS ids
RETURN r.ring_id AS ring_id, r.typology AS typology, r.active_from AS active_from, r.active_to AS active_to,
       collect({label: label, role: role, ids: ids}) AS members
ORDER BY ring_id;
