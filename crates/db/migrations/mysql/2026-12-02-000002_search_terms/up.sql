-- Mirrors ../../sqlite/ and ../../postgres/2026-12-02-000002_search_terms/up.sql; keep the three in step.
-- Conversation search: the terms (lower-cased words, made by pintalk_core::search) of
-- every message, by room, and of every visitor's name and email. A search word is a
-- range `term >= w AND term < w'` on the primary key, which every engine can use;
-- utf8mb4_bin makes that range code point order, as in Rust.
CREATE TABLE room_terms (
    site_id CHAR(36) NOT NULL,
    term VARCHAR(32) NOT NULL,
    room_id CHAR(36) NOT NULL,
    PRIMARY KEY (site_id, term, room_id),
    FOREIGN KEY (site_id) REFERENCES sites(id) ON DELETE CASCADE,
    FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX room_terms_room ON room_terms(room_id);

CREATE TABLE visitor_terms (
    site_id CHAR(36) NOT NULL,
    term VARCHAR(32) NOT NULL,
    visitor_id CHAR(36) NOT NULL,
    PRIMARY KEY (site_id, term, visitor_id),
    FOREIGN KEY (site_id) REFERENCES sites(id) ON DELETE CASCADE,
    FOREIGN KEY (visitor_id) REFERENCES visitors(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX visitor_terms_visitor ON visitor_terms(visitor_id);

-- What was stored before this migration is indexed by the account service in the
-- background (a migration cannot tokenize): `after_id` is the last id indexed, in id
-- order (UUIDv7, so oldest first); `finished_at` is set once it caught up.
CREATE TABLE search_backfill (
    source VARCHAR(16) NOT NULL PRIMARY KEY,
    after_id VARCHAR(36) NOT NULL,
    finished_at BIGINT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO search_backfill (source, after_id, finished_at) VALUES
    ('messages', '', NULL),
    ('visitors', '', NULL);
