// The inbox's search box asks the server, which looks inside every message of every
// conversation (not only the loaded page's previews) and in the visitor's name and email.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { ownerWithSite, signIn, NodeVisitor, row } = dashboardSuite();

/** Types `query` into the search box and waits for the list to show the server's answer. */
async function searchFor(page, query) {
  await page.locator('.search-input').fill(query);
  await page.locator(`.room-list[data-query="${query}"]`).waitFor({ timeout: WAIT });
}

/** The rooms the list shows, in order. */
async function shownRooms(page) {
  return page.locator('.room-row[data-room]').evaluateAll((rows) => rows.map((r) => r.dataset.room));
}

test('the search box finds a conversation by a word of an earlier message, in English and Korean', async () => {
  const { owner, site } = await ownerWithSite();
  const order = await NodeVisitor.open(site.site_key);
  await order.say('Hi, where is my order #1042?');
  await order.say('Thanks!');
  const korean = await NodeVisitor.open(site.site_key);
  await korean.say('배송은 언제 되나요?');
  const other = await NodeVisitor.open(site.site_key);
  await other.say('Do you sell gift cards?');

  const { context, page } = await signIn(owner, `/sites/${site.id}`);
  for (const visitor of [order, korean, other]) await page.locator(row(visitor.room)).waitFor({ timeout: WAIT });

  // The order number is not in the preview (the last message is "Thanks!").
  await searchFor(page, 'order #1042');
  assert.deepEqual(await shownRooms(page), [order.room]);
  assert.ok((await page.locator(row(order.room)).textContent()).includes('where is my order #1042?'),
    'the row shows the message that matched');
  await searchFor(page, '배송');
  assert.deepEqual(await shownRooms(page), [korean.room]);
  await searchFor(page, 'ORD thanks');
  assert.deepEqual(await shownRooms(page), [order.room]);

  await searchFor(page, 'order 9999');
  await page.locator('.list-empty >> text=No conversation matches.').waitFor();
  assert.deepEqual(await shownRooms(page), []);

  await searchFor(page, '');
  await page.locator('.room-row[data-room]').nth(2).waitFor();
  assert.equal((await shownRooms(page)).length, 3);
  assert.ok((await page.locator(row(order.room)).textContent()).includes('Thanks!'), 'back to the last message');
  for (const visitor of [order, korean, other]) visitor.close();
  await context.close();
});
