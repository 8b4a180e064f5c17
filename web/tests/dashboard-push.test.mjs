// The dashboard as a PWA with Web Push: installable (manifest, icons, a service worker
// registered on load), and the browser's notification permission asked from the account
// page's button, never on load. Headless Chromium has no push service of its own
// (subscribing reaches Google's, which is not here), so the last test stands in for the
// browser's PushManager with a subscription made of real P-256 keys; the server's side
// of a push is tested at the protocol level (services/pintalk/tests/api/push.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

/** Counts `Notification.requestPermission` calls (window.__asked) and answers `answer`. */
function countPermissionRequests(answer) {
  return (context) => context.addInitScript((granted) => {
    window.__asked = 0;
    Notification.requestPermission = async () => {
      window.__asked += 1;
      return granted;
    };
  }, answer);
}

test('the dashboard is installable: a manifest with its icons, and a service worker registered on load', async () => {
  const manifest = await fetch(`${env.app.base}/manifest.webmanifest`);
  assert.equal(manifest.status, 200);
  assert.match(manifest.headers.get('content-type'), /^application\/manifest\+json/);
  const body = await manifest.json();
  assert.equal(body.start_url, '/');
  assert.equal(body.display, 'standalone');
  for (const size of ['192x192', '512x512']) {
    const icon = body.icons.find((i) => i.sizes === size);
    assert.ok(icon, `a ${size} icon`);
    const res = await fetch(env.app.base + icon.src);
    assert.equal(res.status, 200, icon.src);
    assert.equal(res.headers.get('content-type'), icon.type);
  }
  const sw = await fetch(`${env.app.base}/sw.js`);
  assert.equal(sw.status, 200);
  assert.match(sw.headers.get('content-type'), /javascript/);

  const { owner } = await ownerWithSite();
  const { context, page } = await signIn(owner);
  assert.equal(await page.locator('link[rel=manifest]').getAttribute('href'), '/manifest.webmanifest');
  const script = await page.evaluate(async () => (await navigator.serviceWorker.ready).active.scriptURL);
  assert.equal(script, `${env.app.base}/sw.js`);
  await context.close();
});

test('notification permission is asked from the account page button, not on load; a refusal is shown', async () => {
  const { owner } = await ownerWithSite();
  const { context, page } = await signIn(owner, '/account', { prepare: countPermissionRequests('denied') });
  const section = page.locator('.push-section');
  await section.locator('button[data-action=push]:not([disabled])').waitFor({ timeout: WAIT });
  assert.equal(await section.getAttribute('data-state'), 'off');
  assert.equal(await page.evaluate(() => window.__asked), 0, 'nothing asked on load');
  await section.locator('button[data-action=push]').click();
  await page.locator('.push-section[data-state=denied]').waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => window.__asked), 1);
  assert.match(await section.locator('.push-status').textContent(), /blocks notifications/);
  const server = await env.app.api('GET', '/api/v1/me/push', { token: owner.access });
  assert.deepEqual(server.body.subscriptions, [], 'nothing subscribed');
  await context.close();
});

test('a granted permission subscribes this browser with the server key, and turning it off unsubscribes', async () => {
  const { owner } = await ownerWithSite();
  const key = createECDH('prime256v1');
  key.generateKeys();
  const fake = {
    endpoint: `https://push.example/device/${randomBytes(6).toString('hex')}`,
    keys: { p256dh: key.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') },
  };
  const { context, page } = await signIn(owner, '/account', {
    prepare: async (ctx) => {
      await countPermissionRequests('granted')(ctx);
      // The browser's push service, which headless Chromium cannot reach.
      await ctx.addInitScript((sub) => {
        let current = null;
        const subscription = {
          endpoint: sub.endpoint,
          options: {},
          toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
          unsubscribe: async () => { current = null; return true; },
        };
        PushManager.prototype.subscribe = async function subscribe(options) {
          window.__serverKey = options.applicationServerKey.length;
          current = subscription;
          return current;
        };
        PushManager.prototype.getSubscription = async () => current;
        Object.defineProperty(Notification, 'permission', { get: () => (current ? 'granted' : 'default') });
      }, fake);
    },
  });
  const section = page.locator('.push-section');
  await section.locator('button[data-action=push]:not([disabled])').waitFor({ timeout: WAIT });
  await section.locator('button[data-action=push]').click();
  await page.locator('.push-section[data-state=on]').waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => window.__serverKey), 65, 'subscribed with the 65-byte VAPID key');
  let server = await env.app.api('GET', '/api/v1/me/push', { token: owner.access });
  assert.deepEqual(server.body.subscriptions.map((s) => s.endpoint), [fake.endpoint]);

  await section.locator('button[data-action=push]').click();
  await page.locator('.push-section[data-state=off]').waitFor({ timeout: WAIT });
  server = await env.app.api('GET', '/api/v1/me/push', { token: owner.access });
  assert.deepEqual(server.body.subscriptions, []);
  await context.close();
});
