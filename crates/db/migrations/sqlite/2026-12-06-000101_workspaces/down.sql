-- SQLite cannot drop a column that holds a foreign key: the workspace_id columns stay
-- (nullable, unread by the older code); the tables and indexes go.
DROP INDEX api_tokens_workspace;
DROP INDEX canned_replies_shortcut;
CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies(owner_id, shortcut);
DROP INDEX sites_workspace;
UPDATE sites SET workspace_id = NULL;
UPDATE canned_replies SET workspace_id = NULL;
UPDATE api_tokens SET workspace_id = NULL;
DROP TABLE invitations;
DROP TABLE member_sites;
DROP TABLE members;
DROP TABLE workspaces;
