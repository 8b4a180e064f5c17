-- Mirrors the other backends' 2026-12-04-000301_bans_and_limits/up.sql; keep the three
-- in step.
-- A site's bans of an IP address or network. first_key and last_key are the network's
-- first and last address as fixed-width text that sorts as addresses do ("4" + 8 hex
-- digits for IPv4, "6" + 32 for IPv6), so "is this address banned" is one indexed range
-- look-up. network is the canonical text shown to the owner (203.0.113.0/24).
CREATE TABLE site_bans (
    id CHAR(36) PRIMARY KEY NOT NULL,
    site_id CHAR(36) NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    network VARCHAR(64) NOT NULL,
    first_key VARCHAR(40) NOT NULL,
    last_key VARCHAR(40) NOT NULL,
    note VARCHAR(500),
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX site_bans_range ON site_bans(site_id, first_key);

-- A site's own abuse limits; a NULL (or no row) takes the global default (limits.*).
CREATE TABLE site_limits (
    site_id CHAR(36) PRIMARY KEY NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    sessions_per_ip BIGINT,
    conversations_per_ip BIGINT,
    messages_per_minute BIGINT,
    updated_at BIGINT NOT NULL
);
