// Money-mule networks, drawn: the graph form of ../09_mule_networks.cypher for Neo4j Browser. The same rules
// pick and rank the pass-through accounts; for the top $rings of them (highest suspicion) it returns paths: the
// people who paid the account, the account, the people it passed the money on to, each account with its owner.
// Parameters: those of 09 (see there), and $rings (int): how many networks to draw.
// :param {min_payers: 3, min_passed_share: 0.5, max_pass_hours: 72, rings: 1}
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
  WHERE b.account_type <> 'business' AND b <> a
  WITH t, b, reduce(latest = null, ts IN came_in |
         CASE WHEN ts <= t.ts AND (latest IS NULL OR ts > latest) THEN ts ELSE latest END) AS latest
  WHERE latest IS NOT NULL AND t.ts <= latest + duration({hours: $max_pass_hours})
  RETURN sum(t.amount) AS passed, collect(DISTINCT b.account_id) AS onward,
         avg(duration.inSeconds(latest, t.ts).seconds / 3600.0) AS wait_hours
}
WITH a, payers, received, passed, onward, wait_hours, toFloat(one_off) / payers AS one_off_share
WHERE passed >= $min_passed_share * received
WITH a, payers, received, passed, onward, one_off_share,
     CASE WHEN passed >= received THEN 1.0 ELSE passed / received END AS pass_share, 1.0 / (1.0 + wait_hours / 24.0) AS pace
WITH a, onward, one_off_share + pass_share + pace AS suspicion, received
ORDER BY suspicion DESC, received DESC, a.account_id
LIMIT toInteger($rings)
CALL (a, onward) {
  MATCH p = (:User)-[:HAS_ACCOUNT]->(payer:Account)-[:TRANSFERS_TO]->(a)<-[:HAS_ACCOUNT]-(:User)
  WHERE payer.account_type <> 'business'
  RETURN p
  UNION
  MATCH p = (a)-[:TRANSFERS_TO]->(b:Account)<-[:HAS_ACCOUNT]-(:User)
  WHERE b.account_id IN onward
  RETURN p
}
RETURN p;
