// Verified visitors in a real browser: two browser contexts identified as one signed-in
// user (a real user_hash) are one visitor in one conversation, both live; a forged hash
// gets no chat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { embedPage } from './harness.mjs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

const userHash = (secret, userId) => createHmac('sha256', secret).update(userId).digest('hex');

/** Polls `fn` until it returns a truthy value. */
async function eventually(fn, timeout = WAIT) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let pages = 0;
/** A page of the shop whose server identified `userId` with `hash`, in its own context. */
async function signedInPage(site, userId, hash) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('widget page error:', e));
  pages += 1;
  const who = JSON.stringify({ user_id: userId, user_hash: hash, name: 'Mina' });
  const stub =
    '<script>window.PinTalk=window.PinTalk||function(){(PinTalk.q=PinTalk.q||[]).push(arguments)};' +
    `PinTalk('identify', ${who}); PinTalk('on', 'error', (e) => { window.__error = e.code; });</script>`;
  await page.goto(env.host.page(`/identity-${pages}`, embedPage(env.app.base, site.site_key, stub)));
  await page.locator('[data-pt=launcher]').waitFor();
  return { context, page };
}

async function say(page, text) {
  await page.locator('[data-pt=input]').fill(text);
  await page.locator('[data-pt=input]').press('Enter');
  await page.locator('[data-pt=message][data-seq]').filter({ hasText: text }).waitFor({ timeout: WAIT });
}

test('two browsers signed in as one user are one verified visitor, live at once; a forged hash is refused', async () => {
  const { owner, site } = await ownerWithSite();
  // The owner generates the secret on the site's settings page: shown once, there.
  const settings = await signIn(owner, `/sites/${site.id}/settings`);
  await settings.page.locator('[data-section=identity] [data-action=identity-secret]').click();
  const secret = await settings.page.locator('[data-role=identity-secret]').textContent({ timeout: WAIT });
  assert.match(secret, /^idsec_/);
  await settings.page.locator('input[name=verification_required]').check();
  const shown = await eventually(async () => {
    const got = await env.app.api('GET', `/api/v1/sites/${site.id}/identity`, { token: owner.access });
    return got.body.verification_required && got.body;
  });
  assert.equal(shown.anonymous_allowed, true);
  assert.ok(!JSON.stringify(shown).includes(secret));
  await settings.context.close();
  const hash = userHash(secret, 'user-1');

  const laptop = await signedInPage(site, 'user-1', hash);
  const phone = await signedInPage(site, 'user-1', hash);
  for (const { page } of [laptop, phone]) {
    await page.locator('[data-pt=launcher]').click();
    await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached', timeout: WAIT });
  }
  await say(laptop.page, 'Hello from my laptop');
  await phone.page.locator('[data-pt=message]').filter({ hasText: 'Hello from my laptop' }).waitFor({ timeout: WAIT });
  await say(phone.page, 'And from my phone');
  await laptop.page.locator('[data-pt=message]').filter({ hasText: 'And from my phone' }).waitFor({ timeout: WAIT });

  const rooms = await env.app.api('GET', `/api/v1/sites/${site.id}/rooms`, { token: owner.access });
  const list = rooms.body.rooms;
  assert.equal(list.length, 1, 'one conversation for both browsers');
  assert.equal(list[0].visitor.verified, true);
  assert.equal(list[0].visitor.user_id, 'user-1');
  // The owner sees them marked verified, in the inbox and the conversation.
  const dashboard = await signIn(owner, `/sites/${site.id}/rooms/${list[0].id}`);
  await dashboard.page.locator('.room-row [data-role=verified]').waitFor({ timeout: WAIT });
  await dashboard.page.locator('.convo-title [data-role=verified]').waitFor({ timeout: WAIT });
  await dashboard.context.close();
  // The secret never reached either page.
  for (const { page } of [laptop, phone]) {
    const stored = await page.evaluate(() => JSON.stringify(localStorage) + document.documentElement.outerHTML);
    assert.ok(!stored.includes(secret));
  }

  const forged = await signedInPage(site, 'user-1', userHash('guessed', 'user-1'));
  await forged.page.locator('[data-pt=launcher]').click();
  await forged.page.waitForFunction(() => window.__error, null, { timeout: WAIT });
  assert.equal(await forged.page.evaluate(() => window.__error), 'invalid_user_hash');
  assert.equal(await forged.page.locator('[data-pt=message]').filter({ hasText: 'Hello from my laptop' }).count(), 0);
  for (const b of [laptop, phone, forged]) await b.context.close();
});
