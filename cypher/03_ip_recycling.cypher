// IP recycling: IPs passed from user to user one after another, ranked by suspicion.
// Succession alone proves little: an ISP hands a home IP from one household to the next, small dynamic pools
// rotate a few addresses among their subscribers, hotel and campus Wi-Fi serve guest after guest. So every
// IP with at least $min_users holders, each taking over at most $max_gap_hours after the previous one left
// (or overlapping it by at most $max_overlap_hours), is returned with a suspicion score that adds three
// signals in [0, 1], each with legitimate look-alikes:
//   met_again     the share of its holders who also held another of these IPs with one of the same holders
//                 (a ring rotates its members through its whole pool; so does a small ISP pool); IPs with more
//                 than 50 users (carrier NAT, VPN exits) are public places and do not count;
//   payee_share   the largest share of its holders who all paid one personal account (rings forward to a
//                 collector; a building's tenants pay one landlord);
//   proxy         1 for a hosting or VPN address, 0.5 for residential, 0 otherwise.
// Carrier NAT, offices and VPN exits have many users at the same time and are never returned.
// Tune: $max_gap_hours and $max_overlap_hours up for rings that rotate slowly or sloppily; $min_users down
// to 2 for the smallest pools (many ISP hand-overs come back then: read from the top).
// Parameters: $min_users (int), $max_gap_hours (int), $max_overlap_hours (int).
// :param {min_users: 3, max_gap_hours: 48, max_overlap_hours: 24}
MATCH (ip:IP)<-[use:USES_IP]-(u:User)
WITH ip, use, u
ORDER BY use.first_seen
WITH ip, collect({user: u, first_seen: use.first_seen, last_seen: use.last_seen}) AS holders
WHERE size(holders) >= $min_users
  AND all(i IN range(0, size(holders) - 2)
          WHERE holders[i].last_seen - duration({hours: $max_overlap_hours}) <= holders[i + 1].first_seen
                <= holders[i].last_seen + duration({hours: $max_gap_hours}))
WITH ip, holders, [h IN holders | h.user] AS users
CALL (ip, users) {
  UNWIND users AS holder
  OPTIONAL MATCH (holder)-[:USES_IP]->(other:IP)<-[:USES_IP]-(again:User)
  WHERE other <> ip AND again IN users AND again <> holder AND COUNT { (other)<-[:USES_IP]-() } <= 50
  WITH holder, count(other) > 0 AS met
  RETURN sum(CASE WHEN met THEN 1 ELSE 0 END) AS holders_met
}
CALL (users) {
  UNWIND users AS member
  MATCH (member)-[:HAS_ACCOUNT]->(:Account)-[:TRANSFERS_TO]->(payee:Account)
  WHERE payee.account_type <> 'business'
  WITH payee, count(DISTINCT member) AS payers
  RETURN coalesce(max(payers), 0) AS shared_payee
}
WITH ip, holders, users, toFloat(holders_met) / size(users) AS met_again, toFloat(shared_payee) / size(users) AS payee_share,
     CASE WHEN ip.is_hosting OR ip.is_vpn THEN 1.0 WHEN ip.connection_type = 'residential' THEN 0.5 ELSE 0.0 END AS proxy
RETURN ip.ip_id AS ip_id, ip.address AS address, ip.connection_type AS connection_type, ip.is_vpn AS is_vpn,
       size(holders) AS successive_users, round(met_again + payee_share + proxy, 3) AS suspicion,
       round(met_again, 2) AS met_again, round(payee_share, 2) AS payee_share, proxy,
       [h IN holders | h.user.user_id] AS user_ids, head(holders).first_seen AS first_seen, last(holders).last_seen AS last_seen
ORDER BY suspicion DESC, ip_id;
