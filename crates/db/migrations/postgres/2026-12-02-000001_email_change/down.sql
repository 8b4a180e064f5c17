DROP INDEX visitors_site_blocked;
ALTER TABLE one_time_tokens DROP COLUMN new_email;
