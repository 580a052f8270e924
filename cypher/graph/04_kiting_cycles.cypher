// Kiting cycles, drawn: the graph form of ../04_kiting_cycles.cypher for Neo4j Browser. The same rules find
// and rank the cycles; for the top $rings of them (highest suspicion) it returns paths: the cycle of accounts
// with the TRANSFERS_TO hops (captioned with the total moved) and the people who own them.
// Parameters: those of 04 (see there), and $rings (int): how many cycles to draw.
// Cycle lengths 3 to 12 are the literal bounds {2,11} below: Cypher quantifiers cannot take parameters.
// :param {min_rounds: 1, min_avg_amount: 100.0, max_hop_hours: 168, rings: 1}
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
WITH cycle, hops, new_accounts + growth + pace AS suspicion
ORDER BY suspicion DESC
LIMIT toInteger($rings)
CALL (cycle, hops) {
  UNWIND hops AS hop
  MATCH p = (:Account)-[hop]->(:Account)
  RETURN p
  UNION
  UNWIND cycle AS account
  MATCH p = (:User)-[:HAS_ACCOUNT]->(account)
  RETURN p
}
RETURN p;
