DROP INDEX visitors_site_blocked ON visitors;
ALTER TABLE one_time_tokens DROP COLUMN new_email;
