-- A cid is its sender's idempotency key: one stored message per (room, sender, cid).
-- Copies stored before this rule (a resend after Redis lost data) keep their first seq.
DELETE FROM messages later
USING messages first
WHERE first.room_id = later.room_id
    AND first.sender_kind = later.sender_kind
    AND first.sender_id = later.sender_id
    AND first.cid = later.cid
    AND first.seq < later.seq;
CREATE UNIQUE INDEX messages_sender_cid ON messages(room_id, sender_kind, sender_id, cid);
