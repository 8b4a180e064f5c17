-- Mirrors the other two backends' 2026-12-03-000201_push_subscriptions/up.sql; keep the
-- three in step.
-- The browsers an owner subscribed to Web Push (RFC 8030): where to push (the push
-- service's endpoint URL) and the keys that encrypt for that browser (RFC 8291). A push
-- service answering 404 or 410 ends a subscription: its row is deleted.
CREATE TABLE push_subscriptions (
    id CHAR(36) PRIMARY KEY NOT NULL,
    owner_id CHAR(36) NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    endpoint VARCHAR(1024) NOT NULL,
    p256dh VARCHAR(100) NOT NULL,
    auth VARCHAR(40) NOT NULL,
    created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX push_subscriptions_owner ON push_subscriptions(owner_id);
