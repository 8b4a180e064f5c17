-- Mirrors the other two backends' 2026-12-03-000202_notified_up_to/up.sql; keep the three
-- in step.
-- The highest seq of a message a row was scheduled for. The persister raises it in the
-- transaction that stores the message; a notifier ends a row only while it is at most
-- what it told of, a condition on the row itself, so a message stored while the row is
-- being ended (another transaction, not yet committed) keeps the row.
ALTER TABLE notifications_due ADD COLUMN latest_seq BIGINT NOT NULL DEFAULT 0;
