-- Mirrors ../../sqlite/ and ../../postgres/2026-12-02-000004_notifications/up.sql; keep
-- the three in step.
-- How each owner wants to hear of unread conversations: off, each or digest. No row is
-- the default, each.
CREATE TABLE notification_settings (
    owner_id CHAR(36) PRIMARY KEY NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    email VARCHAR(8) NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The durable schedule of unread-conversation mails: at most one row per room and
-- recipient (its owner, or its visitor). A message stored while the recipient has no row
-- adds one, due after the delay; a mail sent keeps the row (quiet until due_at) with the
-- last seq it told of; the recipient's read ends the quiet period. A notifier claims an
-- owner's due rows by moving claimed_until forward with a conditional UPDATE, so two
-- replicas never mail the same rows.
CREATE TABLE notifications_due (
    room_id CHAR(36) NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    recipient VARCHAR(10) NOT NULL,
    owner_id CHAR(36) NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    due_at BIGINT NOT NULL,
    notified_seq BIGINT NOT NULL,
    claimed_by CHAR(36),
    claimed_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, recipient)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX notifications_due_at ON notifications_due(due_at);
CREATE INDEX notifications_due_owner ON notifications_due(owner_id, due_at);
