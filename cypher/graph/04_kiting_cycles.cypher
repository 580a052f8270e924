// Kiting cycles, drawn: the graph form of ../04_kiting_cycles.cypher for Neo4j Browser. The same rules find
// the cycles; for the top $rings of them (most money moved) it returns paths: the cycle of accounts with the
// TRANSFERS_TO hops (captioned with the total moved) and the people who own them.
// Parameters: those of 04 (see there), and $rings (int): how many cycles to draw.
// Cycle lengths 3 to 8 are the literal bounds {2,7} below: Cypher quantifiers cannot take parameters.
// :param {min_rounds: 2, min_avg_amount: 150.0, max_span_days: 60, max_hop_hours: 48, rings: 1}
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
WITH cycle, hops, reduce(s = 0.0, h IN hops | s + h.total_amount) AS total
ORDER BY total DESC
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
