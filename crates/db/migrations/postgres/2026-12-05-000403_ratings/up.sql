-- Mirrors the other two backends' 2026-12-05-000403_ratings/up.sql; keep the three in step.
-- A visitor's rating of a closed conversation (CSAT): 1 to 5 and an optional comment of
-- up to 1000 characters, one per room (a later rating replaces it). assignee is who the
-- conversation was assigned to when it was rated (null: nobody), what the per-member
-- average counts; site_id is the room's, for the site's average.
CREATE TABLE room_ratings (
    room_id VARCHAR(36) PRIMARY KEY NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    site_id VARCHAR(36) NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT,
    assignee VARCHAR(36),
    rated_at BIGINT NOT NULL
);
CREATE INDEX room_ratings_site ON room_ratings(site_id, assignee);
