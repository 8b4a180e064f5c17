ALTER TABLE notifications_due DROP COLUMN latest_seq;
