-- Mirrors the other two backends' 2026-12-04-000401_api_tokens/up.sql; keep the three in
-- step.
-- Workspace API tokens for bots and back offices. Until workspaces exist (issue 12) a
-- workspace is one owner's account, so a token belongs to its owner; issue 12 moves it to
-- the workspace. Only the token's SHA-256 is stored; revoking deletes the row.
-- last_used_at is written at most once a minute per token.
CREATE TABLE api_tokens (
    id VARCHAR(36) PRIMARY KEY NOT NULL,
    owner_id VARCHAR(36) NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    scope VARCHAR(10) NOT NULL,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_owner ON api_tokens(owner_id);
