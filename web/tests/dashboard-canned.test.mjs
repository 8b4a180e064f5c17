// Canned replies in the dashboard: made on the account page, then inserted in a reply
// from the keyboard alone — `/` and a few letters, ↓ to choose, Enter to insert with the
// variables filled in, Enter again to send.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor, bubble } = dashboardSuite();

test('a canned reply made on the account page is picked with /, arrows and Enter, filled in and sent', async () => {
  const { owner, site } = await ownerWithSite();
  // A second one with a common prefix, so the arrows have something to choose between.
  const first = await env.app.api('POST', '/api/v1/canned-replies', { token: owner.access, body: { shortcut: 'ship', body: 'We ship worldwide.' } });
  assert.equal(first.status, 201);
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('When will it arrive?');

  const { context, page } = await signIn(owner, '/account');
  const add = page.locator('[data-role=canned-add]');
  await add.locator('input[name=shortcut]').fill('shipping');
  await add.locator('input[name=title]').fill('Delivery times');
  await add.locator('textarea[name=body]').fill('{site.name} ships in 2 days. {agent.name}{visitor.nickname}');
  await add.locator('button[type=submit]').click();
  await page.locator('[data-role=canned-list] [data-shortcut=shipping]').waitFor({ timeout: WAIT });
  // Edited in place.
  const ship = page.locator('[data-role=canned-list] [data-shortcut=ship]');
  await ship.locator('[data-action=edit]').click();
  await ship.locator('textarea[name=body]').fill('We ship worldwide, free over $50.');
  await ship.locator('button[type=submit]').click();
  await ship.locator('.canned-body:text("free over $50")').waitFor({ timeout: WAIT });

  await page.goto(`${env.app.base}/sites/${site.id}/rooms/${visitor.room}`);
  await page.locator(bubble('When will it arrive?')).waitFor({ timeout: WAIT });
  const input = page.locator('[data-role=composer]');
  await input.focus();
  await page.keyboard.type('Hello! /shi');
  const options = page.locator('.canned-picker [role=option]');
  await options.nth(1).waitFor({ timeout: WAIT });
  assert.deepEqual(await options.evaluateAll((els) => els.map((e) => e.dataset.shortcut)), ['ship', 'shipping']);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('.canned-picker [aria-selected=true]').getAttribute('data-shortcut'), 'shipping');
  await page.keyboard.press('Enter');
  assert.equal(await input.inputValue(), 'Hello! Shop ships in 2 days. Ann{visitor.nickname}', 'variables filled, unknown ones left');
  assert.equal(await page.locator('.canned-picker').isHidden(), true);

  // Escape closes the picker without inserting; then Enter sends as usual.
  await page.keyboard.type(' /s');
  await options.first().waitFor({ timeout: WAIT });
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.canned-picker').isHidden(), true);
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Enter');
  const sent = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the reply');
  assert.equal(sent.body, 'Hello! Shop ships in 2 days. Ann{visitor.nickname}');
  visitor.close();
  await context.close();
});
