// Kiting: money sent around a cycle of accounts A1 -> A2 -> ... -> Ak -> A1, ranked by suspicion.
// Every hop edge carried payments averaging at least $min_avg_amount, at least $min_rounds of them, and in
// the first round the hops follow the cycle in time, each within $max_hop_hours of the previous one.
// Time-ordered cycles of large sums are not only kiting: rotating savings circles pass a pot round a fixed
// order week after week, friends pass a loan on, flat-shares settle bills around the flat. Each cycle is
// returned once, starting at the account that moved first, with a suspicion score that adds three signals
// in [0, 1], each with legitimate look-alikes:
//   new_accounts  the share of its accounts opened within 30 days before the cycle first moved (kiters open
//                 accounts for the scheme, or use their own);
//   growth        1 when the first hop's last payment exceeds its first one (the float is inflated round
//                 after round), else 0; a single round gives 0;
//   pace          1 when the whole first round took at most a day, less the longer it took.
// Cycle lengths 3 to 12 are the literal bounds {2,11} below: Cypher quantifiers cannot take parameters
// (graphgen's evaluator rewrites the upper bound from its max_length parameter).
// Tune: $min_avg_amount down for small kiters (many bill-splitting loops come back then), $max_hop_hours up
// for patient ones, $min_rounds up to 2 for only repeated cycles.
// Parameters: $min_rounds (int), $min_avg_amount (float), $max_hop_hours (int).
// :param {min_rounds: 1, min_avg_amount: 100.0, max_hop_hours: 168}
MATCH (a:Account)-[first:TRANSFERS_TO]->(:Account)
WHERE first.n_txns >= $min_rounds AND first.total_amount / first.n_txns >= $min_avg_amount
MATCH (a)-[first]->(b:Account)
      ((x:Account)-[hop:TRANSFERS_TO]->(:Account)
        WHERE hop.n_txns >= $min_rounds AND hop.total_amount / hop.n_txns >= $min_avg_amount
          AND first.first_ts < hop.first_ts <= first.first_ts + duration({hours: 11 * $max_hop_hours})){2,11}
      (a)
WITH a, [first] + hop AS hops, [a] + x AS cycle
WHERE all(i IN range(0, size(hops) - 2)
          WHERE hops[i].first_ts < hops[i + 1].first_ts <= hops[i].first_ts + duration({hours: $max_hop_hours}))
  AND all(i IN range(0, size(cycle) - 1) WHERE NOT cycle[i] IN cycle[i + 1..])
WITH cycle, hops, hops[0].first_ts AS started, last(hops).first_ts AS round_ended,
     reduce(r = hops[0].n_txns, h IN hops | CASE WHEN h.n_txns < r THEN h.n_txns ELSE r END) AS rounds
CALL (cycle) {
  WITH cycle[0] AS payer, cycle[1] AS payee
  MATCH (payer)-[:SENT]->(t:Transaction)-[:RECEIVED_BY]->(payee)
  WITH t ORDER BY t.ts
  WITH collect(t.amount) AS amounts
  RETURN CASE WHEN size(amounts) > 1 AND last(amounts) > head(amounts) THEN 1.0 ELSE 0.0 END AS growth
}
WITH cycle, hops, started, rounds, growth,
     toFloat(size([n IN cycle WHERE started - duration({days: 30}) <= n.opened_at <= started])) / size(cycle) AS new_accounts,
     1.0 / (1.0 + duration.inSeconds(started, round_ended).seconds / 86400.0) AS pace
RETURN [n IN cycle | n.account_id] AS account_ids, size(cycle) AS length, rounds,
       round(reduce(s = 0.0, h IN hops | s + h.total_amount), 2) AS total_amount, started,
       round(new_accounts + growth + pace, 3) AS suspicion, round(new_accounts, 2) AS new_accounts, growth, round(pace, 2) AS pace
ORDER BY suspicion DESC, total_amount DESC;
