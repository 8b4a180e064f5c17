ALTER TABLE rooms DROP COLUMN assignee;
