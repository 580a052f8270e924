// Bust-out: identities tied by one phone number, one address or one device, who signed up close together and
// later ran their credit cards up to the limit within days. Synthetic identities build a quiet credit history for
// weeks or months, then spend their cards' limits at once, pay a card with money they do not have (the repayment
// is returned), cash out and vanish. None of it proves a bust-out: flat-shares of students and new arrivals sign
// up together at one address, families give one number, shops set customers up on a demo phone, people put a
// holiday on the card, the payments of people living payday to payday bounce.
// So every phone, address or device given by 2 to $max_users users who all signed up within $signup_days of
// each other is returned, with a suspicion score that adds three signals in [0, 1], each with look-alikes:
//   spent     the users' average peak card use: the most one of their credit cards spent within $spike_days,
//             as a share of its limit (capped at 1);
//   bounced   the share of them with a returned payment;
//   together  how close together they signed up: 1 - (last sign-up - first) / $signup_days.
// Tune: $signup_days up for rings that open their identities over months (more flat-shares come in);
// $spike_days up for slower busts. Needs the :Transaction nodes (the default payment model).
// Parameters: $signup_days (int), $spike_days (int), $max_users (int).
// :param {signup_days: 30, spike_days: 7, max_users: 12}
MATCH (f)<-[:HAS_PHONE|LIVES_AT|USES_DEVICE]-(u:User)
WITH f, collect(DISTINCT u) AS users
WHERE 2 <= size(users) <= $max_users
WITH f, users, reduce(lo = users[0].created_at, u IN users | CASE WHEN u.created_at < lo THEN u.created_at ELSE lo END) AS first,
     reduce(hi = users[0].created_at, u IN users | CASE WHEN u.created_at > hi THEN u.created_at ELSE hi END) AS last
WHERE last <= first + duration({days: $signup_days})
UNWIND users AS u
CALL (u) {
  OPTIONAL MATCH (u)-[:HAS_ACCOUNT]->(c:Account {account_type: 'credit_card'})-[:SENT]->(t:Transaction {status: 'completed'})
  WITH c, collect(t) AS paid
  UNWIND paid AS t0
  WITH c, reduce(s = 0.0, t IN paid | s + CASE WHEN t0.ts <= t.ts < t0.ts + duration({days: $spike_days})
                                              THEN t.amount ELSE 0.0 END) AS spent
  RETURN coalesce(max(spent / c.credit_limit), 0.0) AS peak
}
WITH f, first, last, u, peak,
     EXISTS { (u)-[:HAS_ACCOUNT]->(:Account)-[:SENT]->(:Transaction {status: 'returned'}) } AS returned
WITH f, first, last, collect(u.user_id) AS user_ids, avg(CASE WHEN peak > 1.0 THEN 1.0 ELSE peak END) AS spent,
     avg(CASE WHEN returned THEN 1.0 ELSE 0.0 END) AS bounced
WITH f, user_ids, spent, bounced,
     1.0 - duration.inSeconds(first, last).seconds / (86400.0 * $signup_days) AS together
RETURN labels(f)[0] AS shared, coalesce(f.number, f.address, f.fingerprint) AS value, user_ids,
       size(user_ids) AS users, round(spent + bounced + together, 3) AS suspicion, round(spent, 2) AS spent,
       round(bounced, 2) AS bounced, round(together, 2) AS together
ORDER BY suspicion DESC, shared, value;
