-- Mirrors ../../mysql/ and ../../postgres/2026-12-02-000002_search_terms/up.sql; keep the three in step.
-- Conversation search: the terms (lower-cased words, made by pintalk_core::search) of
-- every message, by room, and of every visitor's name and email. A search word is a
-- range `term >= w AND term < w'` on the primary key, which every engine can use.
CREATE TABLE room_terms (
    site_id CHAR(36) NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    term VARCHAR(32) NOT NULL,
    room_id CHAR(36) NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    PRIMARY KEY (site_id, term, room_id)
);
CREATE INDEX room_terms_room ON room_terms(room_id);

CREATE TABLE visitor_terms (
    site_id CHAR(36) NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    term VARCHAR(32) NOT NULL,
    visitor_id CHAR(36) NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    PRIMARY KEY (site_id, term, visitor_id)
);
CREATE INDEX visitor_terms_visitor ON visitor_terms(visitor_id);

-- What was stored before this migration is indexed by the account service in the
-- background (a migration cannot tokenize): `after_id` is the last id indexed, in id
-- order (UUIDv7, so oldest first); `finished_at` is set once it caught up.
CREATE TABLE search_backfill (
    source VARCHAR(16) PRIMARY KEY NOT NULL,
    after_id VARCHAR(36) NOT NULL,
    finished_at BIGINT
);
INSERT INTO search_backfill (source, after_id, finished_at) VALUES
    ('messages', '', NULL),
    ('visitors', '', NULL);
