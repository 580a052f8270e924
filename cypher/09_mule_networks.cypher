// Money-mule networks: accounts that take money from many people and pass it on within hours, to people who
// gather it from several such accounts, ranked by suspicion. Mules receive victims' payments and forward them,
// less a cut, to the next layer of mules, who collect from several mules and pass it on again or cash it out.
// Passing money on is not only laundering: resellers pass each sale to their supplier (wholesalers supply
// many resellers), trip organisers collect and pay the venue, letting agents pass rents to landlords.
// So every personal account paid by at least $min_payers other personal accounts that paid out between
// $min_passed_share and all of what it received from them (payments each at most $max_pass_hours after the last
// money that came in from a person) is returned with the personal accounts it paid, and a suspicion score
// that adds three signals in [0, 1], each with legitimate look-alikes:
//   one_off_share  the share of its payers who paid it only once (victims pay once; so do a seller's buyers);
//   pace           1 when money leaves as soon as it came in, 0.5 after a day, less the longer it waits;
//   gathered       the share of the people it paid who were also paid by another account returned here (the
//                  next layer collects from several mules; a wholesaler from several resellers).
// Tune: $max_pass_hours up for patient mules (more collectors come back then), $min_payers down to 2 for
// the inner layers of small networks.
// Parameters: $min_payers (int), $min_passed_share (float), $max_pass_hours (int).
// :param {min_payers: 3, min_passed_share: 0.5, max_pass_hours: 72}
MATCH (payer:Account)-[paid:TRANSFERS_TO]->(a:Account)
WHERE payer.account_type <> 'business' AND a.account_type <> 'business' AND payer <> a
WITH a, count(payer) AS payers, sum(CASE WHEN paid.n_txns = 1 THEN 1 ELSE 0 END) AS one_off, sum(paid.total_amount) AS received
WHERE payers >= $min_payers
CALL (a) {
  MATCH (a)<-[:RECEIVED_BY]-(t:Transaction)<-[:SENT]-(p:Account)
  WHERE p.account_type <> 'business' AND p <> a
  RETURN collect(t.ts) AS came_in
}
CALL (a, came_in) {
  MATCH (a)-[:SENT]->(t:Transaction)-[:RECEIVED_BY]->(b:Account)
  WHERE b <> a
  WITH t, b, reduce(latest = null, ts IN came_in |
         CASE WHEN ts <= t.ts AND (latest IS NULL OR ts > latest) THEN ts ELSE latest END) AS latest
  WHERE latest IS NOT NULL AND t.ts <= latest + duration({hours: $max_pass_hours})
  RETURN sum(t.amount) AS passed, collect(DISTINCT CASE WHEN b.account_type <> 'business' THEN b.account_id END) AS onward,
         avg(duration.inSeconds(latest, t.ts).seconds / 3600.0) AS wait_hours
}
WITH a, payers, received, passed / received AS pass_share, onward, wait_hours, toFloat(one_off) / payers AS one_off_share
WHERE $min_passed_share <= pass_share <= 1.0
WITH collect({account: a, payers: payers, received: received, pass_share: pass_share, onward: onward,
              one_off_share: one_off_share, pace: coalesce(1.0 / (1.0 + wait_hours / 24.0), 0.0)}) AS rows
CALL (rows) {
  UNWIND rows AS row
  UNWIND row.onward AS b
  WITH b, count(*) AS feeders
  WHERE feeders >= 2
  RETURN collect(b) AS gathering
}
UNWIND rows AS row
WITH row, CASE WHEN size(row.onward) = 0 THEN 0.0
               ELSE toFloat(size([b IN row.onward WHERE b IN gathering])) / size(row.onward) END AS gathered
RETURN [row.account.account_id] + row.onward AS account_ids, row.payers AS payers, round(row.received, 2) AS received,
       round(row.pass_share, 2) AS pass_share, round(row.one_off_share + row.pace + gathered, 3) AS suspicion,
       round(row.one_off_share, 2) AS one_off_share, round(row.pace, 2) AS pace, round(gathered, 2) AS gathered
ORDER BY suspicion DESC, received DESC, account_ids;
