-- Mirrors the other two backends' 2026-12-05-000201_internal_notes/up.sql; keep the three
-- in step.
-- An internal note: a message only members see (never the visitor, their replay, history,
-- transcripts or mails). It is numbered in the room like any message.
ALTER TABLE messages ADD COLUMN note BOOLEAN NOT NULL DEFAULT FALSE;
