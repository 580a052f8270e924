// Schema: a uniqueness constraint per label id, indexes on timestamps and amounts.
// Generated from loaders/model.py (a test keeps the two in step); the online loader applies it itself,
// after a bulk import run it once: cypher-shell -u neo4j -p "$NEO4J_PASSWORD" -f schema.cypher
CREATE CONSTRAINT user_user_id IF NOT EXISTS FOR (n:User) REQUIRE n.user_id IS UNIQUE;
CREATE CONSTRAINT device_device_id IF NOT EXISTS FOR (n:Device) REQUIRE n.device_id IS UNIQUE;
CREATE CONSTRAINT account_account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.account_id IS UNIQUE;
CREATE CONSTRAINT ip_ip_id IF NOT EXISTS FOR (n:IP) REQUIRE n.ip_id IS UNIQUE;
CREATE CONSTRAINT phone_phone_id IF NOT EXISTS FOR (n:Phone) REQUIRE n.phone_id IS UNIQUE;
CREATE CONSTRAINT address_address_id IF NOT EXISTS FOR (n:Address) REQUIRE n.address_id IS UNIQUE;
CREATE CONSTRAINT transaction_txn_id IF NOT EXISTS FOR (n:Transaction) REQUIRE n.txn_id IS UNIQUE;
CREATE CONSTRAINT event_event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.event_id IS UNIQUE;
CREATE CONSTRAINT ring_ring_id IF NOT EXISTS FOR (n:Ring) REQUIRE n.ring_id IS UNIQUE;
CREATE INDEX transaction_ts IF NOT EXISTS FOR (t:Transaction) ON (t.ts);
CREATE INDEX transaction_amount IF NOT EXISTS FOR (t:Transaction) ON (t.amount);
CREATE INDEX event_type_ts IF NOT EXISTS FOR (e:Event) ON (e.event_type, e.ts);
CREATE INDEX transfers_first_ts IF NOT EXISTS FOR ()-[r:TRANSFERS_TO]-() ON (r.first_ts);
CREATE INDEX uses_device_first_seen IF NOT EXISTS FOR ()-[r:USES_DEVICE]-() ON (r.first_seen);
CREATE INDEX uses_ip_first_seen IF NOT EXISTS FOR ()-[r:USES_IP]-() ON (r.first_seen);
CREATE INDEX user_created_at IF NOT EXISTS FOR (u:User) ON (u.created_at);
