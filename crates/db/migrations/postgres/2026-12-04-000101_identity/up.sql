-- Mirrors ../../sqlite/ and ../../mysql/2026-12-04-000101_identity/up.sql; keep the three in step.
-- A site's identity verification: the secret its server signs user ids with (kept in
-- clear: PinTalk computes HMAC-SHA256(secret, user_id) to check every identify; the API
-- shows it once, when it is generated), and whether a visitor must be verified.
CREATE TABLE site_identities (
    site_id VARCHAR(36) PRIMARY KEY NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    secret VARCHAR(100) NOT NULL,
    verification_required BOOLEAN NOT NULL,
    anonymous_allowed BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Visitors whose site's server vouched for them: one visitor per (site, user_id), on
-- every device and browser.
CREATE TABLE verified_visitors (
    visitor_id VARCHAR(36) PRIMARY KEY NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    site_id VARCHAR(36) NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    user_id VARCHAR(128) NOT NULL,
    verified_at BIGINT NOT NULL,
    UNIQUE (site_id, user_id)
);
