-- Mirrors ../../mysql/2026-12-02-000001_email_change/up.sql; keep the three in step (with ../../postgres/).
-- A change_email token carries the address it was mailed to: the account moves there
-- only when that link is followed.
ALTER TABLE one_time_tokens ADD COLUMN new_email VARCHAR(254);
-- A site's blocked visitors, newest first (GET /sites/{id}/blocked).
CREATE INDEX visitors_site_blocked ON visitors(site_id, blocked_at);
