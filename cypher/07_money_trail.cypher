// Money trail: follow money out of one user's accounts through time. Each next payment leaves the account
// that just received money, after that payment and within $max_gap_hours, for up to four hops; payments
// under $min_amount are ignored. Each hop shows the device and IP that moved it.
// $user_id null (the default) starts from the same user as 06_ring_drill_down: the first paying user of the tightest
// burst on a short-lived device shared by 3 to 40 users; or take a user id from the top row of 02, 03 or 05.
// Parameters: $user_id (int or null), $max_gap_hours (int), $min_amount (float).
// :param {user_id: null, max_gap_hours: 72, min_amount: 100.0}
WITH coalesce($user_id, head(COLLECT {
  MATCH (d:Device)<-[use:USES_DEVICE]-(u:User)
  WITH d, u, use ORDER BY use.first_seen, u.user_id
  WITH d, collect(u.user_id) AS users, min(use.first_seen) AS first, max(use.first_seen) AS last, max(use.last_seen) AS gone
  WHERE 3 <= size(users) <= 40
  RETURN head([id IN users WHERE EXISTS { (:User {user_id: id})-[:HAS_ACCOUNT]->(:Account)-[:TRANSFERS_TO]->() }])
  ORDER BY size(users) / (1.0 + duration.inSeconds(first, last).seconds / 86400.0)
                           / (1.0 + duration.inSeconds(first, gone).seconds / 2592000.0) DESC, d.device_id LIMIT 1
})) AS start_id
MATCH (:User {user_id: start_id})-[:HAS_ACCOUNT]->(start:Account)
MATCH trail = (start) ((:Account)-[:SENT]->(t:Transaction)-[:RECEIVED_BY]->(:Account) WHERE t.amount >= $min_amount){1,4}
WHERE all(i IN range(0, size(t) - 2) WHERE t[i].ts < t[i + 1].ts <= t[i].ts + duration({hours: $max_gap_hours}))
WITH trail, t
ORDER BY size(t) DESC, t[0].ts
LIMIT 50
UNWIND range(0, size(t) - 1) AS i
MATCH (from:Account)-[:SENT]->(payment:Transaction)-[:RECEIVED_BY]->(to:Account)
WHERE payment = t[i]
MATCH (payment)-[:VIA_DEVICE]->(device:Device), (payment)-[:VIA_IP]->(ip:IP)
WITH trail, collect({hop: i + 1, txn_id: payment.txn_id, ts: payment.ts, amount: payment.amount,
                     from_account: from.account_id, to_account: to.account_id,
                     device_id: device.device_id, ip: ip.address}) AS hops
RETURN trail, hops;
