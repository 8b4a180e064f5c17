-- Mirrors ../../sqlite/ and ../../mysql/2026-12-03-000301_availability/up.sql; keep the
-- three in step.
-- When a site answers: its weekly business hours (JSON, NULL: always within them), whether
-- the widget's away state asks for the visitor's email, and the reply time it promises.
ALTER TABLE sites ADD COLUMN business_hours TEXT;
ALTER TABLE sites ADD COLUMN email_field VARCHAR(8) NOT NULL DEFAULT 'optional';
ALTER TABLE sites ADD COLUMN reply_time VARCHAR(8) NOT NULL DEFAULT 'minutes';
-- The page a visitor left their email on: mails to them link back to it, to reopen the chat.
ALTER TABLE visitors ADD COLUMN page_url TEXT;
