// Device-sharing rings: devices on which several users first show up within days, ranked by suspicion.
// A burst alone proves little: demo devices in shops and branches, a relative's phone set up for elderly
// family, a staff tablet, a household moving in together all bring several people onto one device within
// days. So every device with at least $min_users users first seen within $window_days days of each other is
// returned (unless most of them share a home IP for $household_days days or longer: a family), with a
// suspicion score that adds three signals in [0, 1], each with legitimate look-alikes:
//   burst_share   the burst users over all the device ever had (a shop's demo device also has bursts);
//   short_life    1 when the device lived only for the burst, less the longer it lived on (an operator's
//                 own phone lives on; so does a staff tablet);
//   payee_share   the largest share of the burst users who all paid one personal account (rings forward to
//                 a collector; the helped repay their helper, colleagues chip in for a gift).
// Tune: $min_users down to 2 and $window_days up to 3-4 weeks catch small, slow rings and return many more
// devices: read the list from the top. Raise $min_users or lower $window_days for fewer, surer rows.
// Parameters: $min_users (int), $window_days (int), $household_days (int), $max_household_share (float 0..1).
// :param {min_users: 3, window_days: 14, household_days: 30, max_household_share: 0.5}
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
RETURN d.device_id AS device_id, d.device_type AS device_type, window_start, users_in_window, users_ever,
       round(burst_share + short_life + payee_share, 3) AS suspicion, round(burst_share, 2) AS burst_share,
       round(short_life, 2) AS short_life, round(payee_share, 2) AS payee_share, [u IN users | u.user_id] AS user_ids
ORDER BY suspicion DESC, device_id;
