// Money trail: follow money out of one user's accounts through time. Each next payment leaves the account
// that just received money, after that payment and within $max_gap_hours, for up to four hops; payments
// under $min_amount are ignored. Each hop shows the device and IP that moved it.
// Parameters: $user_id (int), $max_gap_hours (int), $min_amount (float).
// :param {user_id: 0, max_gap_hours: 72, min_amount: 100.0}
MATCH (:User {user_id: $user_id})-[:HAS_ACCOUNT]->(start:Account)
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
