// Assignment in the dashboard: "Assign to me" from the keyboard, the inbox's Mine and
// Unassigned filters, and an assignment made elsewhere (an API token, another tab)
// arriving live.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor, row } = dashboardSuite();

test('an owner assigns a conversation to themselves, filters by it, and sees an unassignment live', async () => {
  const { owner, site } = await ownerWithSite();
  const mine = await NodeVisitor.open(site.site_key);
  await mine.say('Please help me.');
  const other = await NodeVisitor.open(site.site_key);
  await other.say('Anyone there?');
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${mine.room}`);
  await page.locator(row(other.room)).waitFor({ timeout: WAIT });
  const assignee = page.locator('.convo [data-role=assignee]');
  await page.locator('.convo [data-role=assignee]:text("Unassigned")').waitFor({ timeout: WAIT });

  await page.locator('[data-action=assign-me]').focus();
  await page.keyboard.press('Enter');
  await page.locator('.convo [data-role=assignee]:text("Assigned to you")').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('[data-action=unassign]').getAttribute('aria-pressed'), 'true');

  const filter = page.locator('[data-role=assignee-filter]');
  await filter.selectOption('me');
  await page.locator(`${row(other.room)}`).waitFor({ state: 'detached', timeout: WAIT });
  assert.equal(await page.locator(row(mine.room)).count(), 1);
  await filter.selectOption('nobody');
  await page.locator(row(other.room)).waitFor({ timeout: WAIT });
  assert.equal(await page.locator(row(mine.room)).count(), 0);

  // Unassigned elsewhere (as a bot or another tab would): the open conversation and the
  // filtered list follow at once.
  const cleared = await env.app.api('PUT', `/api/v1/rooms/${mine.room}/assignee`, { token: owner.access, body: { assignee: null } });
  assert.equal(cleared.status, 200);
  await page.locator('.convo [data-role=assignee]:text("Unassigned")').waitFor({ timeout: WAIT });
  await page.locator(row(mine.room)).waitFor({ timeout: WAIT });
  assert.match(await assignee.textContent(), /Unassigned/);
  mine.close();
  other.close();
  await context.close();
});
