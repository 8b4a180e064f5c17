// Internal notes in the dashboard: written from the keyboard (Alt+N switches the composer),
// drawn apart from replies, kept across a reload — and never seen by the visitor, not even
// as typing.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { ownerWithSite, signIn, NodeVisitor, bubble } = dashboardSuite();

test('a note is written with Alt+N, shown as a note, and never reaches the visitor', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('My parcel is late.');
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`);
  await page.locator(bubble('My parcel is late.')).waitFor({ timeout: WAIT });

  const input = page.locator('[data-role=composer]');
  await input.focus();
  await page.keyboard.press('Alt+KeyN');
  assert.equal(await page.locator('[data-action=note-mode]').getAttribute('aria-pressed'), 'true');
  assert.match(await input.getAttribute('placeholder'), /only your team/);
  await page.keyboard.type('Courier says Tuesday; offer a refund if asked');
  await page.keyboard.press('Enter');
  const note = page.locator('.convo .msg.note[data-seq="2"]');
  await note.waitFor({ timeout: WAIT });
  assert.match(await note.locator('.note-label').textContent(), /Internal note/);
  assert.equal(await note.locator('.receipt').count(), 0, 'a note has no read receipt');

  // Back to replying, from the keyboard too; the reply is the visitor's next message.
  await page.keyboard.press('Alt+KeyN');
  assert.equal(await page.locator('[data-action=reply-mode]').getAttribute('aria-pressed'), 'true');
  await page.keyboard.type('It arrives Tuesday, sorry!');
  await page.keyboard.press('Enter');
  const reply = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the reply');
  assert.equal(reply.seq, 3);
  assert.equal(reply.body, 'It arrives Tuesday, sorry!');
  assert.ok(!visitor.frames.some((f) => JSON.stringify(f).includes('Courier') || f.note),
    'no frame of the note, nor its typing, reached the visitor');

  // History brings the note back as a note.
  await page.reload();
  await page.locator('.convo .msg.note[data-seq="2"]').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('.convo .msg.mine:not(.note)[data-seq="3"]').count(), 1);
  visitor.close();
  await context.close();
});
