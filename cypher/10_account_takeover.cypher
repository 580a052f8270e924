// Account takeover: customers who, soon after first using a device, changed their e-mail or phone and added new
// payees from it; devices that did this for several customers first. An attacker logs in to a customer's account
// from a device never seen for them, changes the contact details so that alerts go elsewhere, adds payees (the
// attacker's mules) and drains the account. None of it proves a takeover: people buy a new phone and move their
// number to it, set up payees for a new flat-share from a new laptop, borrow a relative's tablet.
// So every (customer, device) pair where the device was first used $min_customer_days or more after the customer
// signed up and at least one payee was added from it within $within_hours of that first use is returned, grouped
// by device, with a suspicion score that adds three signals in [0, 1], each with legitimate look-alikes:
//   changed   the share of those customers who also changed their e-mail or phone from it in that time (a new
//             phone often comes with a new number);
//   burst     how many payees each added there, 3 or more counting fully (a new job or flat-share adds several);
//   shared    1 - 1/n for n customers taken over on one device (families and shop demo devices are shared too).
// Tune: $within_hours up for patient attackers who wait days between the login and the drain (more people
// setting up a new phone come back then); $min_customer_days down to catch young accounts.
// Parameters: $within_hours (int), $min_customer_days (int).
// :param {within_hours: 72, min_customer_days: 30}
MATCH (u:User)-[use:USES_DEVICE]->(d:Device)
WHERE use.first_seen >= u.created_at + duration({days: $min_customer_days})
MATCH (u)-[:PERFORMED]->(e:Event)-[:VIA_DEVICE]->(d)
WHERE use.first_seen <= e.ts <= use.first_seen + duration({hours: $within_hours})
WITH d, u, sum(CASE WHEN e.event_type IN ['email_change', 'phone_change'] THEN 1 ELSE 0 END) AS changes,
     sum(CASE WHEN e.event_type = 'payee_added' THEN 1 ELSE 0 END) AS payees
WHERE payees > 0
WITH d, collect(u.user_id) AS user_ids, avg(CASE WHEN changes > 0 THEN 1.0 ELSE 0.0 END) AS changed,
     avg(CASE WHEN payees >= 3 THEN 1.0 ELSE payees / 3.0 END) AS burst, sum(payees) AS payees_added
WITH d, user_ids, changed, burst, payees_added, 1.0 - 1.0 / size(user_ids) AS shared
RETURN d.device_id AS device_id, d.device_type AS device_type, user_ids, size(user_ids) AS customers, payees_added,
       round(changed + burst + shared, 3) AS suspicion, round(changed, 2) AS changed, round(burst, 2) AS burst,
       round(shared, 2) AS shared
ORDER BY suspicion DESC, device_id;
