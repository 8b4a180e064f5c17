-- Mirrors the other two backends' 2026-12-05-000402_labels/up.sql; keep the three in step.
-- Labels on conversations: free-form tags a member puts on a room ("billing", "bug"),
-- lower-case, 1 to 32 characters, at most 10 per room (checked by the server). site_id is
-- the room's, kept here so the inbox filter and the site's list of labels in use read
-- one index.
CREATE TABLE room_labels (
    room_id VARCHAR(36) NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    site_id VARCHAR(36) NOT NULL,
    label VARCHAR(32) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, label)
);
CREATE INDEX room_labels_site ON room_labels(site_id, label, room_id);
