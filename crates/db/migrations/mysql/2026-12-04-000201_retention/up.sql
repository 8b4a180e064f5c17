-- Mirrors ../../sqlite/ and ../../postgres/2026-12-04-000201_retention/up.sql; keep
-- the three in step.
-- A site's retention: conversations idle (no message, no close or reopen) longer than
-- this many days are deleted by the sweeper. No row: kept for ever (the default).
CREATE TABLE site_retention (
    site_id CHAR(36) PRIMARY KEY NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    days BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Named leases for work one replica at a time must do (the retention sweeper): taken by
-- a conditional UPDATE, as the notifier claims its rows; a holder that dies lets it lapse.
CREATE TABLE leases (
    name VARCHAR(50) PRIMARY KEY NOT NULL,
    holder VARCHAR(36) NOT NULL,
    held_until BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO leases (name, holder, held_until) VALUES ('retention', '', 0);

-- The sweeper's question: a site's rooms idle since before a time.
CREATE INDEX rooms_site_updated ON rooms(site_id, updated_at);
