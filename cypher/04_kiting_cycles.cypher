// Kiting: money sent around a cycle of accounts A1 -> A2 -> ... -> Ak -> A1, round after round.
// Every hop edge must have carried at least $min_rounds payments averaging at least $min_avg_amount within
// $max_span_days, and in the first round the hops must follow the cycle in time, each within $max_hop_hours
// of the previous one. Legitimate look-alikes: family back-and-forth (2-cycles: below the minimum length),
// flat-shares settling a bill around the flat (small amounts, one or two rounds), salaries and rent (spread
// over months). Each cycle is returned once, starting at the account that moved first.
// Cycle lengths 3 to 8 are the literal bounds {2,7} below: Cypher quantifiers cannot take parameters.
// Parameters: $min_rounds (int), $min_avg_amount (float), $max_span_days (int), $max_hop_hours (int).
// :param {min_rounds: 2, min_avg_amount: 150.0, max_span_days: 60, max_hop_hours: 48}
MATCH (a:Account)-[first:TRANSFERS_TO]->(:Account)
WHERE first.n_txns >= $min_rounds AND first.total_amount / first.n_txns >= $min_avg_amount
  AND first.last_ts <= first.first_ts + duration({days: $max_span_days})
MATCH (a)-[first]->(b:Account)
      ((x:Account)-[hop:TRANSFERS_TO]->(:Account)
        WHERE hop.n_txns >= $min_rounds AND hop.total_amount / hop.n_txns >= $min_avg_amount
          AND hop.last_ts <= hop.first_ts + duration({days: $max_span_days})){2,7}
      (a)
WITH a, [first] + hop AS hops, [a] + x AS cycle
WHERE all(i IN range(0, size(hops) - 2)
          WHERE hops[i].first_ts < hops[i + 1].first_ts <= hops[i].first_ts + duration({hours: $max_hop_hours}))
  AND all(i IN range(0, size(cycle) - 1) WHERE NOT cycle[i] IN cycle[i + 1..])
RETURN [n IN cycle | n.account_id] AS account_ids, size(cycle) AS length,
       reduce(r = hops[0].n_txns, h IN hops | CASE WHEN h.n_txns < r THEN h.n_txns ELSE r END) AS rounds,
       reduce(s = 0.0, h IN hops | s + h.total_amount) AS total_amount, hops[0].first_ts AS started
ORDER BY total_amount DESC;
