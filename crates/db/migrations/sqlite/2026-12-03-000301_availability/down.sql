ALTER TABLE visitors DROP COLUMN page_url;
ALTER TABLE sites DROP COLUMN reply_time;
ALTER TABLE sites DROP COLUMN email_field;
ALTER TABLE sites DROP COLUMN business_hours;
