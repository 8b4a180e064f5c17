-- Mirrors the other two backends' 2026-12-04-000402_room_assignee/up.sql; keep the three
-- in step.
-- Who a conversation is assigned to; NULL: nobody. Until workspaces have members
-- (issue 12) the only assignee is the site's owner, so no foreign key yet: deleting the
-- owner deletes the room. Issue 12 points it at the members table (ON DELETE SET NULL).
ALTER TABLE rooms ADD COLUMN assignee VARCHAR(36);
