// The dashboard's conversation and inbox details an owner meets in their first hour: read
// marks that last, the reply box's limit, the notifications offer, the actions menu from
// the keyboard, and the sign-in form's tab order.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor, row, bubble } = dashboardSuite();

/** The read receipt under the owner's message `seq`. */
const receipt = (page, seq) => page.locator(`.convo .msg.mine[data-seq="${seq}"] .receipt`);

/** Signs in on the visitor's conversation, once its first message shows. */
async function openConversation(owner, site, visitor, options) {
  const session = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`, options);
  await session.page.locator('.convo .msg').first().waitFor({ timeout: WAIT });
  return session;
}

test('"Seen" lasts across a reload, and a visitor who answered has seen the reply', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Hello?');
  const { context, page } = await openConversation(owner, site, visitor);
  await page.locator('[data-role=composer]').fill('Hi, how can I help?');
  await page.keyboard.press('Enter');
  const reply = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the reply');
  visitor.read(reply.seq);
  await page.locator(`.convo .msg.mine[data-seq="${reply.seq}"] .receipt:text("Seen")`).waitFor({ timeout: WAIT });

  await page.reload();
  await receipt(page, reply.seq).waitFor({ timeout: WAIT });
  assert.equal(await receipt(page, reply.seq).textContent(), 'Seen', 'the read mark came from the room, not from this tab');

  // A second reply, answered without a read mark: the answer says it was seen.
  await page.locator('[data-role=composer]').fill('Anything else?');
  await page.keyboard.press('Enter');
  const second = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner' && f.body === 'Anything else?', 'the second reply');
  await page.locator(`.convo .msg.mine[data-seq="${second.seq}"] .receipt:text("Sent")`).waitFor({ timeout: WAIT });
  await visitor.say('No, thanks!');
  await page.locator(bubble('No, thanks!')).waitFor({ timeout: WAIT });
  await page.locator(`.convo .msg.mine[data-seq="${second.seq}"] .receipt:text("Seen")`).waitFor({ timeout: WAIT });
  visitor.close();
  await context.close();
});

test('the reply box counts near the limit and refuses a longer reply instead of cutting it', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Tell me everything.');
  const { context, page } = await openConversation(owner, site, visitor);
  const input = page.locator('[data-role=composer]');
  const counter = page.locator('[data-role=counter]');
  assert.equal(await input.evaluate((e) => getComputedStyle(e).fontSize), '16px', 'mobile Safari zooms into a smaller field');
  await input.fill('a'.repeat(3000));
  assert.equal(await counter.isVisible(), false);
  await input.fill('a'.repeat(3900));
  assert.equal(await counter.textContent(), '3900 / 4000');
  await input.fill('😀'.repeat(4002));
  assert.equal(await counter.textContent(), '2 characters too long');
  assert.equal(await page.locator('[data-action=send]').isDisabled(), true);
  await input.press('Enter');
  assert.equal(await input.inputValue(), '😀'.repeat(4002), 'kept whole, not sent');
  await input.fill('😀'.repeat(4000));
  await input.press('Enter');
  const sent = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the long reply');
  assert.equal([...sent.body].length, 4000);
  visitor.close();
  await context.close();
});

/** Makes the browser's notification permission `state`, and what asking turns it into. */
function notificationsThat(answer) {
  return (context) => context.addInitScript((to) => {
    let state = 'default';
    Object.defineProperty(Notification, 'permission', { get: () => state });
    Notification.requestPermission = async () => (state = to);
  }, answer);
}

test('the notifications offer follows the real permission: it stays while undecided and goes once granted', async () => {
  const { owner, site } = await ownerWithSite();
  const undecided = await signIn(owner, `/sites/${site.id}`, { prepare: notificationsThat('default') });
  const offer = undecided.page.locator('.notify-offer');
  await offer.waitFor();
  await undecided.page.locator('[data-action=enable-notifications]').click();
  await undecided.page.waitForFunction(() => Notification.permission === 'default');
  await undecided.page.reload();
  await offer.waitFor({ timeout: WAIT });
  assert.equal(await offer.isVisible(), true, 'still undecided: still offered');
  await undecided.context.close();

  const granted = await signIn(owner, `/sites/${site.id}`, { prepare: notificationsThat('granted') });
  await granted.page.locator('[data-action=enable-notifications]').click();
  await granted.page.locator('.notify-offer').waitFor({ state: 'hidden' });
  await granted.context.close();
});

test('the "More actions" menu works from the keyboard: arrows, Home, End and Escape', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Hi');
  const { context, page } = await openConversation(owner, site, visitor);
  const more = page.locator('[data-action=more]');
  const focused = () => page.evaluate(() => document.activeElement?.dataset.action ?? document.activeElement?.tagName);
  assert.equal(await more.getAttribute('aria-haspopup'), 'menu');
  await more.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.dataset.action === 'transcript-text', null, { timeout: WAIT });
  assert.equal(await more.getAttribute('aria-expanded'), 'true', 'opening focuses the first item');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'transcript-json');
  await page.keyboard.press('End');
  assert.equal(await focused(), 'delete');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'transcript-text', 'arrows wrap');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'delete');
  await page.keyboard.press('Home');
  assert.equal(await focused(), 'transcript-text');
  await page.keyboard.press('Escape');
  await page.locator('.menu:not([open])').waitFor({ state: 'attached' });
  assert.equal(await focused(), 'more', 'Escape returns to the button');
  await page.keyboard.press('ArrowUp');
  // The menu opens on the `toggle` event, a task later.
  await page.waitForFunction(() => document.activeElement?.dataset.action === 'delete', null, { timeout: WAIT });
  assert.equal(await more.getAttribute('aria-expanded'), 'true', 'ArrowUp on the button opens on the last item');
  visitor.close();
  await context.close();
});

test('the sign-in form tabs email, password, sign in, then "Forgot password?"', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.app.base}/login`);
  await page.locator('input[name=email]').focus();
  const order = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const e = document.activeElement;
      return e.name || e.getAttribute('type') || e.getAttribute('href');
    }));
  }
  assert.deepEqual(order, ['password', 'submit', '/forgot-password']);
  await context.close();
});

test('a read mark that arrives while another conversation is open is kept for the next opening', async () => {
  const { owner, site } = await ownerWithSite();
  const first = await NodeVisitor.open(site.site_key);
  await first.say('Ping');
  const second = await NodeVisitor.open(site.site_key);
  await second.say('Hello from the second');
  const { context, page } = await openConversation(owner, site, first);
  await page.locator('[data-role=composer]').fill('Pong');
  await page.keyboard.press('Enter');
  const reply = await first.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the reply');
  await page.locator(row(second.room)).click();
  await page.locator(bubble('Hello from the second')).waitFor({ timeout: WAIT });
  first.read(reply.seq);
  // Stored, so the dashboard's socket has had the frame too.
  for (let i = 0; ; i++) {
    const room = await env.app.api('GET', `/api/v1/rooms/${first.room}`, { token: owner.access });
    if (room.body.visitor_read_seq === reply.seq) break;
    assert.ok(i < 100, 'the read mark was never stored');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await page.locator(row(first.room)).click();
  await page.locator(`.convo .msg.mine[data-seq="${reply.seq}"] .receipt:text("Seen")`).waitFor({ timeout: WAIT });
  first.close();
  second.close();
  await context.close();
});
