-- Mirrors the other two backends' 2026-12-05-000401_canned_replies/up.sql; keep the three
-- in step.
-- Saved answers an agent inserts with /shortcut. Until workspaces exist (issue 12) they
-- belong to the owner's account; the workspace migration moves them to the workspace.
-- At most 200 per owner (checked by the server); shortcut unique per owner.
CREATE TABLE canned_replies (
    id CHAR(36) PRIMARY KEY NOT NULL,
    owner_id CHAR(36) NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    shortcut VARCHAR(32) NOT NULL,
    title VARCHAR(100),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies(owner_id, shortcut);
