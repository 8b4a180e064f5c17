-- Mirrors the other two backends' 2026-12-05-000404_visitor_context/up.sql; keep the three
-- in step.
-- Who the visitor is, as their widget last reported it (the page they are on, where they
-- came from, language, time zone, screen) and the server parsed from their user agent;
-- visits counts reports more than 30 minutes apart. One row per visitor, replaced by
-- each report; every text bounded by the server (URLs 2048, title 300).
CREATE TABLE visitor_contexts (
    visitor_id VARCHAR(36) PRIMARY KEY NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
    page_url TEXT NOT NULL,
    page_title TEXT,
    referrer TEXT,
    language VARCHAR(35),
    time_zone VARCHAR(64),
    screen_width INTEGER,
    screen_height INTEGER,
    browser VARCHAR(64),
    browser_version VARCHAR(64),
    os VARCHAR(64),
    device VARCHAR(16),
    visits BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
