// Labels in the dashboard: added and removed from the keyboard in the open conversation,
// shown on the inbox rows, filtered on, and a change made elsewhere (an API token, another
// tab) arriving live.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor, row } = dashboardSuite();

test('an owner labels a conversation from the keyboard, filters by the label, and sees a change live', async () => {
  const { owner, site } = await ownerWithSite();
  const billing = await NodeVisitor.open(site.site_key);
  await billing.say('My invoice is wrong.');
  const other = await NodeVisitor.open(site.site_key);
  await other.say('Just saying hi.');
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${billing.room}`);
  await page.locator(row(other.room)).waitFor({ timeout: WAIT });

  // Typed, Enter: stored as the server keeps it (lower-case), shown on the bar and the row.
  const input = page.locator('.convo [data-role=label-input]');
  await input.focus();
  await page.keyboard.type('Billing');
  await page.keyboard.press('Enter');
  await page.locator('.convo-labels [data-role=label]:has-text("billing")').waitFor({ timeout: WAIT });
  await page.keyboard.type('refund');
  await page.keyboard.press('Enter');
  await page.locator(`${row(billing.room)} [data-role=label]:text("refund")`).waitFor({ timeout: WAIT });
  assert.equal(await input.inputValue(), '');
  const stored = await env.app.api('GET', `/api/v1/rooms/${billing.room}`, { token: owner.access });
  assert.deepEqual(stored.body.labels, ['billing', 'refund']);

  // Backspace in the empty field takes the last one off.
  await page.keyboard.press('Backspace');
  await page.locator('.convo-labels [data-role=label]:has-text("refund")').waitFor({ state: 'detached', timeout: WAIT });

  // A label the server refuses is said, and changes nothing.
  await page.keyboard.type('no<tags>');
  await page.keyboard.press('Enter');
  await page.locator('.toast:has-text("label")').first().waitFor({ timeout: WAIT });
  assert.equal(await page.locator('.convo-labels [data-role=label]').count(), 1);
  await input.fill('');

  // The inbox's filter offers the labels in use and narrows the list to them.
  const filter = page.locator('[data-role=label-filter]');
  await page.locator('[data-role=label-filter] option[value=billing]').waitFor({ state: 'attached', timeout: WAIT });
  await filter.selectOption('billing');
  await page.locator(row(other.room)).waitFor({ state: 'detached', timeout: WAIT });
  assert.equal(await page.locator(row(billing.room)).count(), 1);

  // Labelled elsewhere (as a bot would): the row appears under the filter at once, and the
  // choices learn the new label.
  const token = await env.app.api('POST', '/api/v1/api-tokens', { token: owner.access, body: { name: 'bot', scope: 'write' } });
  const set = await env.app.api('PUT', `/api/v1/rooms/${other.room}/labels`, { token: token.body.token, body: { labels: ['billing', 'vip'] } });
  assert.equal(set.status, 200);
  await page.locator(`${row(other.room)} [data-role=label]:text("vip")`).waitFor({ timeout: WAIT });
  await page.locator('[data-role=label-filter] option[value=vip]').waitFor({ state: 'attached', timeout: WAIT });

  // × on the chip, from the keyboard, removes it.
  const remove = page.locator('.convo-labels [data-action=remove-label]');
  await remove.focus();
  await page.keyboard.press('Enter');
  await page.locator('.convo-labels [data-role=label]').waitFor({ state: 'detached', timeout: WAIT });
  // Under the billing filter, the unlabelled conversation leaves the list.
  await page.locator(row(billing.room)).waitFor({ state: 'detached', timeout: WAIT });
  const cleared = await env.app.api('GET', `/api/v1/rooms/${billing.room}`, { token: owner.access });
  assert.deepEqual(cleared.body.labels, []);
  billing.close();
  other.close();
  await context.close();
});
