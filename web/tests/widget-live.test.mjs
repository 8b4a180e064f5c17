// What an open widget learns without a reload: the owner's new settings as soon as they are
// saved, and (on a later visit) the unread count and read marks the server keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embedPage } from './harness.mjs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

/** Polls `fn` until it returns a truthy value. */
async function eventually(fn, what, timeout = WAIT) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let pages = 0;
/** A visitor on the customer's page, in a browser context of its own (or `context`'s). */
async function visitorPage(site, context) {
  context ??= await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('widget page error:', e));
  pages += 1;
  await page.goto(env.host.page(`/live-${pages}`, embedPage(env.app.base, site.site_key)));
  await page.locator('[data-pt=launcher]').waitFor();
  return { context, page };
}

/** The widget's accent colour as drawn. */
const accent = (page) => page.locator('#pintalk-widget .pt').evaluate((el) => el.style.getPropertyValue('--a'));

test('the owner saves a new title and colour in the dashboard, and an open widget redraws with them, no reload', async () => {
  const { owner, site } = await ownerWithSite({ title: 'Chat with us', accent_color: '#4f46e5' });
  const visitor = await visitorPage(site);
  const widget = visitor.page;
  await widget.locator('[data-pt=launcher]').click();
  await widget.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached', timeout: WAIT });
  assert.equal(await widget.locator('#pintalk-widget h2').textContent(), 'Chat with us');
  await widget.evaluate(() => (window.__sameLoad = true));

  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`);
  await page.locator('.settings-form').waitFor();
  await page.locator('input[name=title]').fill('Ask Ann anything');
  await page.locator('input[name=accent_color]').fill('#0f766e');
  await page.locator('input[name=greeting]').or(page.locator('textarea[name=greeting]')).fill('Hello from Ann');
  await page.locator('button[type=submit]:text("Save changes")').click();
  await page.locator('.save-state:text("All changes saved")').waitFor({ timeout: WAIT });

  await widget.locator('#pintalk-widget h2:text("Ask Ann anything")').waitFor({ timeout: WAIT });
  await widget.locator('#pintalk-widget .g:text("Hello from Ann")').waitFor({ timeout: WAIT });
  await eventually(async () => (await accent(widget)) === '#0f766e', 'the new accent colour');
  assert.equal(await widget.evaluate(() => window.__sameLoad), true, 'redrawn in place, not reloaded');

  // The corner moves live too, and a widget opened later starts with the saved settings.
  await page.locator('.segmented [data-value=left]').click();
  await page.locator('button[type=submit]:text("Save changes")').click();
  await page.locator('.save-state:text("All changes saved")').waitFor({ timeout: WAIT });
  await widget.locator('#pintalk-widget .pt.l').waitFor({ state: 'attached', timeout: WAIT });
  const later = await visitorPage(site);
  await later.page.locator('#pintalk-widget .pt.l').waitFor({ state: 'attached' });
  assert.equal(await accent(later.page), '#0f766e');
  await later.context.close();
  await visitor.context.close();
  await context.close();
});

/** The visitor writes from the widget and waits until the server took it. */
async function say(page, text) {
  await page.locator('[data-pt=input]').fill(text);
  await page.locator('[data-pt=input]').press('Enter');
  await page.locator('[data-pt=message][data-seq]').filter({ hasText: text }).waitFor({ timeout: WAIT });
}

/** The owner answers `count` times from the dashboard, in the site's only conversation. */
async function ownerAnswers(owner, site, replies) {
  const rooms = await env.app.api('GET', `/api/v1/sites/${site.id}/rooms`, { token: owner.access });
  const room = rooms.body.rooms?.[0] ?? rooms.body[0];
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${room.id}`);
  for (const text of replies) {
    await page.locator('[data-role=composer]').fill(text);
    await page.keyboard.press('Enter');
    await page.locator('.convo .msg.mine[data-seq]').filter({ hasText: text }).waitFor({ timeout: WAIT });
  }
  // Stored, with the cursors the replies moved, before the visitor comes back.
  await eventually(async () => {
    const view = await env.app.api('GET', `/api/v1/rooms/${room.id}`, { token: owner.access });
    return view.body.last_message?.body === replies.at(-1);
  }, 'the replies to be stored');
  await context.close();
  return room;
}

test('a visitor back later in a new tab sees the unread badge for replies that came while away', async () => {
  const { owner, site } = await ownerWithSite();
  const first = await visitorPage(site);
  await first.page.locator('[data-pt=launcher]').click();
  await say(first.page, 'Do you ship to Busan?');
  await first.page.locator('[data-pt=launcher]').click(); // closes the chat
  await first.page.close();

  await ownerAnswers(owner, site, ['Yes, we do!', 'Delivery takes two days.']);

  // A new tab of the same env.browser, the chat left closed: the badge says two, before any socket.
  const { page } = await visitorPage(site, first.context);
  const badge = page.locator('[data-pt=badge]');
  await badge.filter({ hasText: '2' }).waitFor({ timeout: WAIT });
  assert.match(await page.locator('[data-pt=launcher]').getAttribute('aria-label'), /2 unread/);
  // Reading them clears it.
  await page.locator('[data-pt=launcher]').click();
  await page.locator('[data-pt=message]').filter({ hasText: 'Delivery takes two days.' }).waitFor({ timeout: WAIT });
  await badge.waitFor({ state: 'hidden', timeout: WAIT });
  await first.context.close();
});

test('a visitor\'s message the owner answered shows Seen, also after a reload', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await visitorPage(site);
  await visitor.page.locator('[data-pt=launcher]').click();
  await say(visitor.page, 'Is the blue one in stock?');
  await visitor.page.close();

  await ownerAnswers(owner, site, ['It is.']);

  // The chat was left open, so it opens again by itself.
  const { page } = await visitorPage(site, visitor.context);
  await page.locator('[data-pt=panel]').waitFor({ timeout: WAIT });
  const question = page.locator('[data-pt=message][data-mine=true]').filter({ hasText: 'Is the blue one in stock?' });
  await question.locator('[data-pt=seen]').waitFor({ timeout: WAIT });
  await page.reload();
  await page.locator('[data-pt=message][data-mine=true]').filter({ hasText: 'Is the blue one in stock?' })
    .locator('[data-pt=seen]').waitFor({ timeout: WAIT });
  await visitor.context.close();
});
