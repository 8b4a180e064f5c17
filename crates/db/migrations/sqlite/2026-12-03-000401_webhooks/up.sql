-- Mirrors ../../mysql/ and ../../postgres/2026-12-03-000401_webhooks/up.sql; keep
-- the three in step.
-- A site's webhook endpoints: where its events are POSTed, signed with the endpoint's
-- secret (kept in clear: it signs every delivery; the API shows it once, at creation).
CREATE TABLE webhooks (
    id CHAR(36) PRIMARY KEY NOT NULL,
    site_id CHAR(36) NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    url VARCHAR(2000) NOT NULL,
    events VARCHAR(500) NOT NULL,
    secret VARCHAR(100) NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_site ON webhooks(site_id);

-- The durable queue of deliveries: one row per event and endpoint, written in the same
-- transaction as the fact it tells of (the persister's batch, a close or reopen). A
-- deliverer claims due rows by moving claimed_until forward with a conditional UPDATE,
-- so two replicas never send the same row at once. event_id is the receiver's
-- de-duplication key; (webhook_id, event_id) is unique, so a replayed batch adds nothing.
CREATE TABLE webhook_deliveries (
    id CHAR(36) PRIMARY KEY NOT NULL,
    webhook_id CHAR(36) NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id VARCHAR(64) NOT NULL,
    event VARCHAR(32) NOT NULL,
    payload TEXT NOT NULL,
    status VARCHAR(10) NOT NULL,
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    give_up_at BIGINT NOT NULL,
    claimed_by VARCHAR(36),
    claimed_until BIGINT NOT NULL,
    last_attempt_at BIGINT,
    last_status BIGINT,
    last_error VARCHAR(500),
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
