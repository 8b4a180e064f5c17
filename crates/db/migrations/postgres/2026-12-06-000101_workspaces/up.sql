-- Mirrors the other two backends' 2026-12-06-000101_workspaces/up.sql; keep the three in
-- step.
-- Workspaces own sites; accounts are their members, with a role. Every account that
-- exists becomes the owner of a workspace of one, whose id is the account's id (both are
-- UUIDv7 text; later workspaces get ids of their own). Canned replies and API tokens
-- move from the account to its workspace.
CREATE TABLE workspaces (
    id VARCHAR(36) PRIMARY KEY NOT NULL,
    name VARCHAR(100) NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per member; exactly one has role 'owner' (the server keeps it so). An agent
-- with all_sites = FALSE sees only the sites listed in member_sites.
CREATE TABLE members (
    workspace_id VARCHAR(36) NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    owner_id VARCHAR(36) NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    role VARCHAR(8) NOT NULL,
    all_sites BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, owner_id)
);
CREATE INDEX members_account ON members(owner_id);

CREATE TABLE member_sites (
    workspace_id VARCHAR(36) NOT NULL,
    owner_id VARCHAR(36) NOT NULL,
    site_id VARCHAR(36) NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, owner_id, site_id),
    FOREIGN KEY (workspace_id, owner_id) REFERENCES members(workspace_id, owner_id)
        ON DELETE CASCADE
);

-- Single-use invitations by mail; only the token's SHA-256 is stored. A used or revoked
-- one is kept (accepted_at / revoked_at) so its link answers "no longer valid".
CREATE TABLE invitations (
    id VARCHAR(36) PRIMARY KEY NOT NULL,
    workspace_id VARCHAR(36) NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email VARCHAR(254) NOT NULL,
    role VARCHAR(8) NOT NULL,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    invited_by VARCHAR(36) REFERENCES owners(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX invitations_workspace ON invitations(workspace_id);

INSERT INTO workspaces (id, name, created_at)
    SELECT id, COALESCE(NULLIF(company, ''), name), created_at FROM owners;
INSERT INTO members (workspace_id, owner_id, role, all_sites, created_at)
    SELECT id, id, 'owner', TRUE, created_at FROM owners;

-- sites.owner_id stays: it is the workspace owner's account, kept in step on a transfer.
ALTER TABLE sites ADD COLUMN workspace_id VARCHAR(36) REFERENCES workspaces(id) ON DELETE CASCADE;
UPDATE sites SET workspace_id = owner_id;
ALTER TABLE sites ALTER COLUMN workspace_id SET NOT NULL;
CREATE INDEX sites_workspace ON sites(workspace_id);

-- canned_replies.owner_id and api_tokens.owner_id stay as their author.
ALTER TABLE canned_replies ADD COLUMN workspace_id VARCHAR(36) REFERENCES workspaces(id) ON DELETE CASCADE;
UPDATE canned_replies SET workspace_id = owner_id;
ALTER TABLE canned_replies ALTER COLUMN workspace_id SET NOT NULL;
DROP INDEX canned_replies_shortcut;
CREATE UNIQUE INDEX canned_replies_shortcut ON canned_replies(workspace_id, shortcut);

ALTER TABLE api_tokens ADD COLUMN workspace_id VARCHAR(36) REFERENCES workspaces(id) ON DELETE CASCADE;
UPDATE api_tokens SET workspace_id = owner_id;
ALTER TABLE api_tokens ALTER COLUMN workspace_id SET NOT NULL;
CREATE INDEX api_tokens_workspace ON api_tokens(workspace_id);
