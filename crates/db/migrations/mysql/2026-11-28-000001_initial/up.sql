-- Mirrors ../../sqlite/2026-11-28-000001_initial/up.sql and ../../postgres/…; keep the three
-- in step (tests/migrations.rs checks the folders match).
-- utf8mb4_bin everywhere: keys and tokens compare exactly, never case-insensitively.
-- Ids are UUIDv7 text made by the application; times are UTC milliseconds.
CREATE TABLE owners (
    id CHAR(36) NOT NULL PRIMARY KEY,
    email VARCHAR(254) NOT NULL UNIQUE,
    password_hash VARCHAR(72) NOT NULL,
    name VARCHAR(100) NOT NULL,
    company VARCHAR(100),
    avatar_url VARCHAR(2048),
    email_verified_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE sessions (
    id CHAR(36) NOT NULL PRIMARY KEY,
    owner_id CHAR(36) NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    FOREIGN KEY (owner_id) REFERENCES owners(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX sessions_owner ON sessions(owner_id);

CREATE TABLE refresh_tokens (
    token_hash CHAR(64) NOT NULL PRIMARY KEY,
    session_id CHAR(36) NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE one_time_tokens (
    token_hash CHAR(64) NOT NULL PRIMARY KEY,
    owner_id CHAR(36) NOT NULL,
    purpose VARCHAR(32) NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    FOREIGN KEY (owner_id) REFERENCES owners(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX one_time_tokens_owner ON one_time_tokens(owner_id);

CREATE TABLE sites (
    id CHAR(36) NOT NULL PRIMARY KEY,
    owner_id CHAR(36) NOT NULL,
    name VARCHAR(100) NOT NULL,
    site_key VARCHAR(64) NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,
    title VARCHAR(100) NOT NULL,
    greeting VARCHAR(500) NOT NULL,
    accent_color VARCHAR(7) NOT NULL,
    position VARCHAR(5) NOT NULL,
    language VARCHAR(8) NOT NULL,
    away_message VARCHAR(500) NOT NULL,
    show_owner_status BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    FOREIGN KEY (owner_id) REFERENCES owners(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX sites_owner ON sites(owner_id);

CREATE TABLE visitors (
    id CHAR(36) NOT NULL PRIMARY KEY,
    site_id CHAR(36) NOT NULL,
    secret_hash CHAR(64) NOT NULL,
    name VARCHAR(100),
    email VARCHAR(254),
    blocked_at BIGINT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    FOREIGN KEY (site_id) REFERENCES sites(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX visitors_site ON visitors(site_id);

CREATE TABLE rooms (
    id CHAR(36) NOT NULL PRIMARY KEY,
    site_id CHAR(36) NOT NULL,
    visitor_id CHAR(36) NOT NULL,
    status VARCHAR(10) NOT NULL,
    last_seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    FOREIGN KEY (site_id) REFERENCES sites(id) ON DELETE CASCADE,
    FOREIGN KEY (visitor_id) REFERENCES visitors(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX rooms_site_status ON rooms(site_id, status, updated_at);
CREATE INDEX rooms_visitor ON rooms(visitor_id);

CREATE TABLE messages (
    id CHAR(36) NOT NULL PRIMARY KEY,
    room_id CHAR(36) NOT NULL,
    seq BIGINT NOT NULL,
    cid VARCHAR(64) NOT NULL,
    sender_kind VARCHAR(10) NOT NULL,
    sender_id CHAR(36) NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (room_id, seq),
    FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE read_cursors (
    room_id CHAR(36) NOT NULL,
    reader_kind VARCHAR(10) NOT NULL,
    reader_id CHAR(36) NOT NULL,
    seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, reader_kind, reader_id),
    FOREIGN KEY (room_id) REFERENCES rooms(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
