-- Mirrors ../../sqlite/ and ../../postgres/2026-12-04-000101_identity/up.sql; keep the three in step.
-- A site's identity verification: the secret its server signs user ids with (kept in
-- clear: PinTalk computes HMAC-SHA256(secret, user_id) to check every identify; the API
-- shows it once, when it is generated), and whether a visitor must be verified.
CREATE TABLE site_identities (
    site_id CHAR(36) PRIMARY KEY NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    secret VARCHAR(100) NOT NULL,
    verification_required BOOLEAN NOT NULL,
    anonymous_allowed BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Visitors whose site's server vouched for them: one visitor per (site, user_id), on
-- every device and browser.
CREATE TABLE verified_visitors (
    visitor_id CHAR(36) PRIMARY KEY NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    site_id CHAR(36) NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    user_id VARCHAR(128) NOT NULL,
    verified_at BIGINT NOT NULL,
    UNIQUE (site_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
