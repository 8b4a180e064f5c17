// The widget in a real Chromium against the real server: a customer's page on its own
// origin embeds it, a Node WebSocket client plays the owner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startApp, startHost, embedPage, launchBrowser, repoRoot, screenshot } from './harness.mjs';

const XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

let app;
let host;
let browser;
let owner;
let site;

before(async () => {
  app = await startApp();
  host = await startHost();
  browser = await launchBrowser();
  owner = await app.owner('ann@example.com');
  site = await app.site(owner, [host.origin]);
});

after(async () => {
  await browser?.close();
  await host?.stop();
  await app?.stop();
});

/** Polls `fn` until it returns a truthy value (or stops throwing). */
async function eventually(fn, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The owner's side: a dashboard-like socket that records every frame. */
async function ownerSocket() {
  const ticket = await app.api('POST', '/api/v1/realtime/token', { token: owner.access });
  assert.equal(ticket.status, 200, JSON.stringify(ticket.body));
  const ws = new WebSocket(ticket.body.gateway_url, { origin: app.base });
  const frames = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  ws.send(JSON.stringify({ type: 'auth', token: ticket.body.token }));
  const socket = {
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    /** The first frame, received so far or later, that matches. */
    frame: (match, what = 'an owner frame') => eventually(() => frames.find(match), what),
    close: () =>
      new Promise((ok) => {
        ws.once('close', ok);
        ws.close();
      }),
  };
  await socket.frame((f) => f.type === 'ready', 'ready');
  return socket;
}

/** A visitor: a fresh browser context (own storage) on the customer's page. */
async function visitor({ viewport = { width: 1280, height: 800 }, path = '/shop', extra = '', key = site.site_key } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  // Every request the page makes to PinTalk, in order.
  const requests = [];
  page.on('request', (r) => r.url().startsWith(app.base) && requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  const url = host.page(path, embedPage(app.base, key, extra));
  await page.goto(url);
  return { context, page, url, requests };
}

const launcher = (page) => page.locator('[data-pt=launcher]');
const messages = (page) => page.locator('[data-pt=message]');

/** The messages as the visitor sees them. */
function shown(page) {
  return page.locator('[data-pt=message]').evaluateAll((els) =>
    els.map((m) => ({
      seq: m.dataset.seq ? Number(m.dataset.seq) : null,
      mine: m.dataset.mine === 'true',
      pending: m.dataset.pending === 'true',
      body: m.querySelector('[data-pt=body]').textContent,
    })),
  );
}

/** Waits until the page's widget shows a message matching `match`. */
function shows(page, match, what) {
  return eventually(async () => (await shown(page)).find(match), what);
}

async function send(page, text) {
  await page.locator('[data-pt=input]').fill(text);
  await page.locator('[data-pt=input]').press('Enter');
}

async function roomMessages(room) {
  const res = await app.api('GET', `/api/v1/rooms/${room}/messages?limit=200`, { token: owner.access });
  assert.equal(res.status, 200);
  return res.body.messages;
}

test('a visitor and the owner talk, live, and a reload brings the conversation back', async () => {
  const { context, page, requests } = await visitor({ path: '/talk' });
  await launcher(page).waitFor();
  assert.equal(await page.locator('[data-pt=panel]').isVisible(), false, 'the panel starts closed');
  assert.equal(await page.locator('[data-pt=badge]').isVisible(), false, 'no unread badge');
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');
  const beforeInteraction = requests.filter((r) => r.includes('/api/'));
  assert.deepEqual(beforeInteraction, ['GET /api/v1/widget/config'], 'only the config is fetched before interaction');
  await screenshot(page, 'widget-closed.png');

  // Nobody is online yet: the status says away, and the away message shows.
  await launcher(page).click();
  await page.locator('[data-pt=panel]').waitFor();
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');
  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-pt=status]').getAttribute('data-online'), 'false');
  assert.equal(await page.locator('[data-pt=away]').isVisible(), true);

  // The owner comes online: the header says so at once, and the away message goes.
  const ann = await ownerSocket();
  await page.locator('[data-pt=status][data-online=true]').waitFor();
  await page.locator('[data-pt=away]').waitFor({ state: 'hidden' });

  await send(page, 'Hello! Do you ship to Korea?');
  const mine = await shows(page, (m) => m.body === 'Hello! Do you ship to Korea?' && !m.pending, 'the ack');
  assert.equal(mine.mine, true);
  assert.equal(mine.seq, 1);
  const got = await ann.frame((f) => f.type === 'message' && f.body === 'Hello! Do you ship to Korea?', 'the message at the owner');
  assert.equal(got.sender.kind, 'visitor');
  const room = got.room;

  // The visitor's typing reaches the owner.
  await page.locator('[data-pt=input]').pressSequentially('One more');
  await ann.frame((f) => f.type === 'typing' && f.room === room && f.sender.kind === 'visitor' && f.active, 'visitor typing');
  await page.locator('[data-pt=input]').fill('');

  // The owner types, reads and answers.
  ann.send({ type: 'typing', room, active: true });
  await page.locator('[data-pt=typing]').waitFor();
  assert.match(await page.locator('[data-pt=typing]').textContent(), /typing/);
  ann.send({ type: 'read', room, seq: 1 });
  await page.locator('[data-pt=message][data-seq="1"] [data-pt=seen]').waitFor();
  ann.send({ type: 'send', room, body: 'Yes, we do! Details: https://shop.example.com/shipping.', cid: 'o-1' });
  const reply = await shows(page, (m) => m.body.startsWith('Yes, we do!'), 'the reply');
  assert.equal(reply.mine, false);
  assert.equal(reply.seq, 2);
  await page.locator('[data-pt=typing]').waitFor({ state: 'hidden' });
  const link = page.locator('[data-pt=message][data-seq="2"] a');
  assert.equal(await link.getAttribute('href'), 'https://shop.example.com/shipping');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  // The visitor, looking at the open panel, has read the reply.
  await ann.frame((f) => f.type === 'read' && f.room === room && f.reader.kind === 'visitor' && f.seq === 2, 'read by the visitor');
  await page.locator('[data-pt=input]').fill('Great, thanks!');
  await screenshot(page, 'widget-open.png');
  await page.locator('[data-pt=input]').fill('');

  // Closed panel: a new reply raises the unread badge; opening clears it.
  await launcher(page).click();
  await page.locator('[data-pt=panel]').waitFor({ state: 'hidden' });
  ann.send({ type: 'send', room, body: 'Anything else?', cid: 'o-2' });
  await page.locator('[data-pt=badge]').waitFor();
  assert.equal(await page.locator('[data-pt=badge]').textContent(), '1');
  await launcher(page).click();
  await page.locator('[data-pt=badge]').waitFor({ state: 'hidden' });

  // A reload: the same conversation, its history shown, the same room, the panel still open.
  await page.reload();
  await page.locator('[data-pt=panel]').waitFor();
  await shows(page, (m) => m.seq === 3 && m.body === 'Anything else?', 'history after the reload');
  assert.deepEqual(
    (await shown(page)).map((m) => [m.seq, m.mine, m.body]),
    [
      [1, true, 'Hello! Do you ship to Korea?'],
      [2, false, 'Yes, we do! Details: https://shop.example.com/shipping.'],
      [3, false, 'Anything else?'],
    ],
  );
  await send(page, 'Back again');
  const again = await ann.frame((f) => f.type === 'message' && f.body === 'Back again', 'the message after the reload');
  assert.equal(again.room, room, 'the same room');
  assert.equal(again.seq, 4);

  await ann.close();
  await context.close();
});

test('a page whose origin is not on the allow-list gets no chat at all', async () => {
  const stranger = await startHost();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const extra = `<script>window.PinTalk=window.PinTalk||function(){(PinTalk.q=PinTalk.q||[]).push(arguments)};
      PinTalk('on','error',function(e){window.__ptError=e})</script>`;
    await page.goto(stranger.page('/', embedPage(app.base, site.site_key, extra)));
    const error = await page.waitForFunction(() => window.__ptError).then((h) => h.jsonValue());
    assert.equal(typeof error.code, 'string');
    assert.equal(await page.locator('#pintalk-widget').count(), 0, 'no widget host');
    assert.equal(await launcher(page).count(), 0, 'no launcher');
    const refused = await app.api('GET', `/api/v1/widget/config?site_key=${site.site_key}`, { origin: stranger.origin });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'origin_not_allowed');
    await context.close();
  } finally {
    await stranger.stop();
  }
});

test('message text is shown as text: HTML and scripts in it run nothing', async () => {
  const { context, page } = await visitor({ path: '/xss' });
  const ann = await ownerSocket();
  await launcher(page).click();
  await send(page, XSS);
  const sent = await ann.frame((f) => f.type === 'message' && f.body === XSS, 'the payload at the owner');
  ann.send({ type: 'send', room: sent.room, body: `${XSS} javascript:alert(1) https://ok.example/`, cid: 'o-x' });
  await shows(page, (m) => m.seq === 1 && m.body === XSS && !m.pending, 'the visitor payload as text');
  await shows(page, (m) => m.seq === 2 && m.body === `${XSS} javascript:alert(1) https://ok.example/`, 'the owner payload as text');
  // An image that fails to load the same way: once its handler has run, an injected one's would have.
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.onerror = () => (window.__sentinel = 1);
    img.src = 'x';
    document.body.append(img);
  });
  await page.waitForFunction(() => window.__sentinel === 1);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const inside = await page.evaluate(() => {
    const root = document.querySelector('#pintalk-widget').shadowRoot;
    return {
      injected: root.querySelectorAll('[data-pt=messages] img, [data-pt=messages] script').length,
      links: [...root.querySelectorAll('[data-pt=messages] a')].map((a) => a.getAttribute('href')),
    };
  });
  assert.equal(inside.injected, 0);
  assert.deepEqual(inside.links, ['https://ok.example/'], 'only the http(s) text became a link');
  await ann.close();
  await context.close();
});

test('what the visitor types while the network is cut arrives exactly once when it returns', async () => {
  const { context, page } = await visitor({ path: '/offline' });
  const ann = await ownerSocket();
  await launcher(page).click();
  await send(page, 'Before the cut');
  const first = await ann.frame((f) => f.type === 'message' && f.body === 'Before the cut', 'the first message');
  await shows(page, (m) => m.body === 'Before the cut' && !m.pending, 'the first ack');

  await context.setOffline(true);
  await page.locator('[data-pt=connection][data-state=reconnecting]').waitFor();
  await send(page, 'Typed while offline');
  await send(page, 'And this too');
  await shows(page, (m) => m.body === 'And this too' && m.pending, 'the queued messages, pending');
  const queued = await page.evaluate((key) => JSON.parse(localStorage.getItem(`pintalk:${key}`)).unsent.map((i) => i.body), site.site_key);
  assert.deepEqual(queued, ['Typed while offline', 'And this too'], 'the queue is kept in localStorage');
  assert.equal(ann.frames.some((f) => f.body === 'Typed while offline'), false);

  await context.setOffline(false);
  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached' });
  await shows(page, (m) => m.body === 'And this too' && !m.pending, 'the queued messages, acked');
  await ann.frame((f) => f.type === 'message' && f.body === 'And this too', 'the queued messages at the owner');
  assert.deepEqual(
    (await shown(page)).map((m) => [m.seq, m.body, m.pending]),
    [
      [1, 'Before the cut', false],
      [2, 'Typed while offline', false],
      [3, 'And this too', false],
    ],
  );
  const stored = await roomMessages(first.room);
  assert.deepEqual(
    stored.map((m) => m.body),
    ['Before the cut', 'Typed while offline', 'And this too'],
    'stored once each',
  );
  assert.equal(ann.frames.filter((f) => f.type === 'message' && f.body === 'Typed while offline').length, 1);
  const left = await page.evaluate((key) => JSON.parse(localStorage.getItem(`pintalk:${key}`)).unsent.length, site.site_key);
  assert.equal(left, 0, 'the queue is empty once acked');
  await ann.close();
  await context.close();
});

test('a message an older widget kept unsent (its `outbox`) is still sent once after an upgrade', async () => {
  const { context, page } = await visitor({ path: '/upgrade' });
  const ann = await ownerSocket();
  await page.evaluate((key) => localStorage.setItem(`pintalk:${key}`, JSON.stringify({
    outbox: [{ cid: 'w0123456789abcdef01234567', body: 'Kept by an older widget', ts: Date.now() }],
  })), site.site_key);
  await page.reload();
  await ann.frame((f) => f.type === 'message' && f.body === 'Kept by an older widget', 'the kept message at the owner');
  await page.waitForFunction((key) => {
    const saved = JSON.parse(localStorage.getItem(`pintalk:${key}`));
    return saved && !('outbox' in saved) && Array.isArray(saved.unsent) && saved.unsent.length === 0;
  }, site.site_key, { timeout: 15_000 });
  await ann.close();
  await context.close();
});

test('an identified visitor has the conversation mailed to them from the widget', async () => {
  const extra = `<script>
    window.PinTalk = window.PinTalk || function () { (PinTalk.q = PinTalk.q || []).push(arguments); };
    PinTalk('identify', { name: 'Lee', email: 'lee@example.com' });
    PinTalk('open');
  </script>`;
  const { context, page } = await visitor({ path: '/mail-me', extra });
  await send(page, 'Please keep a copy');
  await shows(page, (m) => m.body === 'Please keep a copy' && !m.pending, 'the ack');
  const mailer = page.locator('[data-pt=transcript]');
  assert.equal(await mailer.getAttribute('title'), 'Email me this conversation');
  await mailer.click();
  await page.locator('[data-pt=transcript][data-sent=true]').waitFor({ timeout: 15_000 });
  assert.equal(await mailer.getAttribute('title'), 'Sent to lee@example.com');
  const mail = await app.mailed('lee@example.com', 'Your conversation');
  assert.match(mail, /Visitor: Please keep a copy/);
  await context.close();
});

test('an anonymous visitor is not offered the transcript by mail', async () => {
  const { context, page } = await visitor({ path: '/anonymous' });
  await launcher(page).click();
  await send(page, 'Just asking');
  await shows(page, (m) => m.body === 'Just asking' && !m.pending, 'the ack');
  assert.equal(await page.locator('[data-pt=transcript]').isHidden(), true);
  await context.close();
});

test('an unverified owner\'s widget says in the console why it does not show', async () => {
  const email = 'unverified-widget@example.com';
  const password = 'correct horse battery';
  await app.api('POST', '/api/v1/auth/signup', { body: { email, password, name: 'Una' } });
  const login = await app.api('POST', '/api/v1/auth/login', { body: { email, password } });
  const unverified = await app.site({ access: login.body.access_token }, [host.origin]);
  const context = await browser.newContext();
  const page = await context.newPage();
  const warnings = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.goto(host.page('/unverified', embedPage(app.base, unverified.site_key)));
  for (let i = 0; i < 100 && !warnings.length; i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(warnings.join('\n'), /PinTalk: the chat is not shown: .*not verified.*\(site_not_live\)/);
  assert.equal(await page.locator('#pintalk-widget').count(), 0, 'no bubble');
  await context.close();
});

test('a gateway restart (close 1012): the widget reconnects with a new ticket, resumes and misses nothing', async () => {
  const { context, page, requests } = await visitor({ path: '/restart' });
  const ann = await ownerSocket();
  let socketRoute;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    ws.connectToServer();
    socketRoute = ws;
  });
  // Holds the next session request, so the owner can write while the visitor is away.
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route(`${app.base}/api/v1/widget/sessions*`, async (route) => {
    if (requests.filter((r) => r === 'POST /api/v1/widget/sessions').length > 1) await held;
    await route.continue();
  });
  await launcher(page).click();
  await send(page, 'Before the restart');
  const first = await ann.frame((f) => f.type === 'message' && f.body === 'Before the restart', 'the first message');
  await shows(page, (m) => m.seq === 1 && !m.pending, 'the first ack');

  await socketRoute.close({ code: 1012, reason: 'restarting' });
  await page.locator('[data-pt=connection][data-state=reconnecting]').waitFor();
  await eventually(() => requests.filter((r) => r === 'POST /api/v1/widget/sessions').length === 2, 'a new session ticket');
  ann.send({ type: 'send', room: first.room, body: 'Written while you were away', cid: 'o-r' });
  await ann.frame((f) => f.type === 'ack' && f.cid === 'o-r', 'the owner ack');
  release();

  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached' });
  await shows(page, (m) => m.seq === 2, 'the message replayed on resume');
  assert.deepEqual(
    (await shown(page)).map((m) => [m.seq, m.body]),
    [
      [1, 'Before the restart'],
      [2, 'Written while you were away'],
    ],
  );
  await ann.close();
  await context.close();
});

test('the widget is usable at 360 px wide: the open panel takes the whole screen', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(host.page('/small', embedPage(app.base, site.site_key)));
  const ann = await ownerSocket();
  await launcher(page).click();
  await send(page, 'Hi, is the blue one in stock?');
  const sent = await ann.frame((f) => f.type === 'message' && f.body === 'Hi, is the blue one in stock?', 'the question');
  ann.send({ type: 'send', room: sent.room, body: 'It is! Size M and L ship today.', cid: 'o-s' });
  await shows(page, (m) => m.seq === 2, 'the answer');
  const box = await page.locator('[data-pt=panel]').boundingBox();
  assert.equal(Math.round(box.width), 360);
  assert.equal(Math.round(box.height), 740);
  const animation = await page.evaluate(() => getComputedStyle(document.querySelector('#pintalk-widget').shadowRoot.querySelector('[data-pt=panel]')).animationName);
  assert.equal(animation, 'none', 'no animation when the visitor prefers reduced motion');
  await screenshot(page, 'widget-360.png');
  // The header's close button hands control back to the page.
  await page.locator('[data-pt=panel] [data-pt=close]').click();
  await launcher(page).waitFor();
  await ann.close();
  await context.close();
});

test('the API works before the script loads: queued commands, events, identify, locale, keyboard and reset', async () => {
  const extra = `<script>
    window.PinTalk = window.PinTalk || function () { (PinTalk.q = PinTalk.q || []).push(arguments); };
    window.__events = [];
    ['ready', 'open', 'close', 'message', 'unread', 'error'].forEach(function (n) {
      PinTalk('on', n, function (d) { __events.push([n, d === undefined ? null : d]); });
    });
    PinTalk('identify', { name: 'Kim', email: 'kim@example.com' });
    PinTalk('locale', 'ko');
    PinTalk('open');
  </script>`;
  const { context, page } = await visitor({ path: '/api', extra });
  const ann = await ownerSocket();
  const events = () => page.evaluate(() => window.__events);
  await page.locator('[data-pt=panel]').waitFor();
  const ready = (await events()).find(([n]) => n === 'ready')[1];
  assert.deepEqual(ready.identity, { name: 'Kim', email: 'kim@example.com' });
  assert.equal(ready.siteId, site.id);
  assert.ok((await events()).some(([n]) => n === 'open'));
  const input = page.locator('[data-pt=input]');
  assert.equal(await input.getAttribute('placeholder'), '메시지를 입력하세요…');
  assert.equal(await page.locator('[data-pt=panel]').getAttribute('role'), 'dialog');
  assert.equal(await page.locator('[data-pt=messages]').getAttribute('role'), 'log');
  assert.equal(await page.locator('[data-pt=messages]').getAttribute('aria-live'), 'polite');

  // Enter that ends an IME composition does not send; Shift+Enter is a newline.
  await input.fill('안녕하세요');
  await input.evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true })));
  await input.evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, bubbles: true, cancelable: true })));
  assert.equal(await messages(page).count(), 0, 'nothing sent while composing');
  await input.press('Shift+Enter');
  await input.pressSequentially('두 줄');
  assert.equal(await input.inputValue(), '안녕하세요\n두 줄');
  await input.press('Enter');
  const first = await ann.frame((f) => f.type === 'message' && f.body === '안녕하세요\n두 줄', 'the two-line message');
  await shows(page, (m) => m.seq === 1 && !m.pending, 'the ack');
  assert.ok((await events()).some(([n, d]) => n === 'message' && d.mine && d.body === '안녕하세요\n두 줄'));

  // Keyboard: Escape closes and gives focus back to the launcher; Enter on it reopens.
  await input.focus();
  await page.keyboard.press('Escape');
  await page.locator('[data-pt=panel]').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.querySelector('#pintalk-widget').shadowRoot.activeElement?.dataset.pt), 'launcher');
  ann.send({ type: 'send', room: first.room, body: '네, 말씀하세요.', cid: 'o-k' });
  await page.locator('[data-pt=badge]').waitFor();
  assert.ok((await events()).some(([n, d]) => n === 'unread' && d === 1));
  assert.ok((await events()).some(([n, d]) => n === 'message' && !d.mine && d.sender.kind === 'owner'));
  await page.keyboard.press('Enter');
  await page.locator('[data-pt=panel]').waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('#pintalk-widget').shadowRoot.activeElement?.dataset.pt), 'input');
  await page.locator('[data-pt=badge]').waitFor({ state: 'hidden' });

  await page.evaluate(() => PinTalk('hide'));
  await launcher(page).waitFor({ state: 'hidden' });
  await page.evaluate(() => PinTalk('show'));
  await launcher(page).waitFor();
  await page.evaluate(() => PinTalk('toggle'));
  await page.locator('[data-pt=panel]').waitFor({ state: 'hidden' });
  assert.ok((await events()).some(([n]) => n === 'close'));

  // reset forgets this visitor: the next conversation is a new room.
  await page.evaluate(() => PinTalk('reset'));
  assert.equal(await page.evaluate((key) => localStorage.getItem(`pintalk:${key}`), site.site_key), null);
  assert.equal(await messages(page).count(), 0);
  await page.evaluate(() => PinTalk('open'));
  await send(page, 'A new start');
  const fresh = await ann.frame((f) => f.type === 'message' && f.body === 'A new start', 'the message after reset');
  assert.notEqual(fresh.room, first.room);
  assert.equal(fresh.seq, 1);
  await ann.close();
  await context.close();
});

test('the site\'s settings shape the widget: title, greeting, colour, side, language, status', async () => {
  const bakery = await app.site(owner, [host.origin], {
    title: '김씨네 빵집',
    greeting: '안녕하세요! 무엇을 도와드릴까요?',
    accent_color: '#fbbf24',
    position: 'left',
    language: 'ko',
    show_owner_status: false,
    away_message: '지금은 자리에 없어요. 메시지를 남겨 주세요.',
  });
  const { context, page } = await visitor({ path: '/bakery', key: bakery.site_key });
  await launcher(page).click();
  await page.locator('[data-pt=panel]').waitFor();
  assert.equal(await page.locator('[data-pt=panel] h2').textContent(), '김씨네 빵집');
  assert.equal(await page.locator('.g').textContent(), '안녕하세요! 무엇을 도와드릴까요?');
  assert.equal(await page.locator('[data-pt=input]').getAttribute('placeholder'), '메시지를 입력하세요…');
  assert.equal(await page.locator('[data-pt=status]').isVisible(), false, 'owner status hidden by the site');
  assert.equal(await page.locator('[data-pt=away-message]').textContent(), '지금은 자리에 없어요. 메시지를 남겨 주세요.');
  const box = await launcher(page).boundingBox();
  assert.ok(box.x < 100, `launcher on the left (x=${box.x})`);
  const colours = await launcher(page).evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]);
  assert.deepEqual(colours, ['rgb(251, 191, 36)', 'rgb(17, 24, 39)'], 'the accent, with dark text on a light accent');
  await context.close();
});

test('the npm package\'s ES module drives the same widget through exported functions', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Served from the customer's origin, as a bundler would ship it.
  await page.route(`${host.origin}/pkg/*`, (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: readFileSync(join(repoRoot, 'web/widget', new URL(route.request().url()).pathname.slice(5))),
    }),
  );
  const html = `<!doctype html><html><body><h1>A shop</h1><script type="module">
    import PinTalk, { init, on, open, identify } from '/pkg/pintalk.mjs';
    window.__global = window.PinTalk.loaded === true && typeof PinTalk === 'function';
    on('ready', (r) => (window.__ready = r));
    identify({ name: 'Lee' });
    init({ siteKey: ${JSON.stringify(site.site_key)}, base: ${JSON.stringify(app.base)} });
    open();
  </script></body></html>`;
  await page.goto(host.page('/module', html));
  await page.locator('[data-pt=panel]').waitFor();
  const ready = await page.waitForFunction(() => window.__ready).then((h) => h.jsonValue());
  assert.deepEqual(ready.identity, { name: 'Lee', email: null });
  assert.equal(await page.evaluate(() => window.__global), true, 'the module defines the same global command function');
  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached' });
  await context.close();
});

test('a blocked visitor is told the conversation ended and the widget stops', async () => {
  const extra = `<script>window.PinTalk=window.PinTalk||function(){(PinTalk.q=PinTalk.q||[]).push(arguments)};
    PinTalk('on','error',function(e){window.__ptError=e})</script>`;
  const { context, page } = await visitor({ path: '/blocked', extra });
  const ann = await ownerSocket();
  await launcher(page).click();
  await send(page, 'spam spam spam');
  const sent = await ann.frame((f) => f.type === 'message' && f.body === 'spam spam spam', 'the spam');
  const blocked = await app.api('POST', `/api/v1/rooms/${sent.room}/block`, { token: owner.access });
  assert.equal(blocked.status, 204);
  await page.locator('[data-pt=connection][data-state=offline]').waitFor();
  assert.equal((await page.evaluate(() => window.__ptError)).code, 'visitor_blocked');
  assert.equal(await page.locator('[data-pt=input]').isDisabled(), true);
  // And so it stays after a reload: the session is refused.
  await page.reload();
  await page.locator('[data-pt=panel]').waitFor();
  await page.locator('[data-pt=connection][data-state=offline]').waitFor();
  assert.match(await page.locator('[data-pt=connection]').textContent(), /closed/);
  await ann.close();
  await context.close();
});

test('seen marks also arrive after a reload', async () => {
  const { context, page } = await visitor({ path: '/seen' });
  const ann = await ownerSocket();
  await launcher(page).click();
  await send(page, 'Are you there?');
  const sent = await ann.frame((f) => f.type === 'message' && f.body === 'Are you there?', 'the question');
  await page.reload();
  await page.locator('[data-pt=panel]').waitFor();
  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached' });
  await shows(page, (m) => m.seq === 1, 'the history');
  ann.send({ type: 'read', room: sent.room, seq: 1 });
  try {
    await page.locator('[data-pt=message][data-seq="1"] [data-pt=seen]').waitFor({ timeout: 3000 });
  } finally {
    await ann.close();
    await context.close();
  }
});

test('an open chat stays open across a reload and on another page of the site, and a closed one closed', async () => {
  const { context, page } = await visitor({ path: '/stay' });
  await launcher(page).click();
  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached' });
  await page.reload();
  await page.locator('[data-pt=panel]').waitFor();
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');
  await page.goto(host.page('/stay/other', embedPage(app.base, site.site_key)));
  await page.locator('[data-pt=panel]').waitFor();
  await launcher(page).click();
  await page.locator('[data-pt=panel]').waitFor({ state: 'hidden' });
  await page.reload();
  await launcher(page).waitFor();
  await page.locator('[data-pt=connection]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-pt=panel]').isVisible(), false, 'closed stays closed');
  await context.close();
});

test('the unread badge survives a reload while the owner\'s reply is unread', async () => {
  const { context, page } = await visitor({ path: '/badge' });
  const ann = await ownerSocket();
  await launcher(page).click();
  await send(page, 'Anyone?');
  const asked = await ann.frame((f) => f.type === 'message' && f.body === 'Anyone?', 'the question');
  await launcher(page).click();
  await page.locator('[data-pt=panel]').waitFor({ state: 'hidden' });
  ann.send({ type: 'send', room: asked.room, body: 'Yes, here!', cid: 'o-badge' });
  await page.locator('[data-pt=badge]').waitFor();
  await page.reload();
  await page.locator('[data-pt=badge]').waitFor();
  assert.equal(await page.locator('[data-pt=badge]').textContent(), '1');
  assert.equal(await page.locator('[data-pt=panel]').isVisible(), false);
  await launcher(page).click();
  await page.locator('[data-pt=badge]').waitFor({ state: 'hidden' });
  await ann.frame((f) => f.type === 'read' && f.reader.kind === 'visitor' && f.seq === 2, 'read by the visitor');
  await launcher(page).click();
  await page.reload();
  await launcher(page).waitFor();
  assert.equal(await page.locator('[data-pt=badge]').isVisible(), false, 'read, so no badge');
  await ann.close();
  await context.close();
});

test('a long message: a counter near the limit, refused above it, never cut', async () => {
  const { context, page } = await visitor({ path: '/long' });
  const ann = await ownerSocket();
  await launcher(page).click();
  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached' });
  const input = page.locator('[data-pt=input]');
  const count = page.locator('[data-pt=count]');
  await input.fill('a'.repeat(3000));
  assert.equal(await count.isVisible(), false, 'no counter far from the limit');
  await input.fill('a'.repeat(3700));
  assert.equal(await count.textContent(), '3700 / 4000');
  await input.fill('가'.repeat(4001));
  assert.equal(await count.textContent(), '1 characters too long');
  assert.equal(await page.locator('[data-pt=send]').isDisabled(), true);
  await input.press('Enter');
  assert.equal([...(await input.inputValue())].length, 4001, 'nothing sent, nothing cut');
  assert.equal(await messages(page).count(), 0);
  await input.press('Backspace');
  await input.press('Enter');
  const got = await ann.frame((f) => f.type === 'message' && f.sender.kind === 'visitor', 'the long message');
  assert.equal([...got.body].length, 4000);
  // 16 px: mobile Safari zooms into a smaller focused field.
  assert.equal(await input.evaluate((e) => getComputedStyle(e).fontSize), '16px');
  await ann.close();
  await context.close();
});

test('links in the greeting and the away message are links, as in messages', async () => {
  const linked = await app.site(owner, [host.origin], {
    greeting: 'Hi! Read https://shop.example.com/faq first.',
    away_message: 'Away: see www.example.com/hours, or <b>wait</b>.',
  });
  const { context, page } = await visitor({ path: '/greeting-links', key: linked.site_key });
  await launcher(page).click();
  await page.locator('[data-pt=away]').waitFor();
  const greet = await anchors(page.locator('.g a'));
  const away = await anchors(page.locator('[data-pt=away] a'));
  assert.deepEqual(greet, [{ text: 'https://shop.example.com/faq', href: 'https://shop.example.com/faq', rel: 'noopener noreferrer nofollow', target: '_blank' }]);
  assert.deepEqual(away, [{ text: 'www.example.com/hours', href: 'https://www.example.com/hours', rel: 'noopener noreferrer nofollow', target: '_blank' }]);
  assert.equal(await page.locator('[data-pt=away] b').count(), 0, 'text, never HTML');
  await context.close();
});

/** Text with the cases of the link rule (docs/decisions.md), and what each must become. */
const LINK_CASES = [
  'see https://shop.example.com/shipping. then',
  '(https://en.wikipedia.org/wiki/Seoul_(city)) or www.example.com/a?b=1, "http://x.example/q"!',
  'not links: javascript:alert(1) ftp://example.com mailto:a@b.example',
].join('\n');
const LINK_EXPECTED = [
  { text: 'https://shop.example.com/shipping', href: 'https://shop.example.com/shipping' },
  { text: 'https://en.wikipedia.org/wiki/Seoul_(city)', href: 'https://en.wikipedia.org/wiki/Seoul_(city)' },
  { text: 'www.example.com/a?b=1', href: 'https://www.example.com/a?b=1' },
  { text: 'http://x.example/q', href: 'http://x.example/q' },
].map((l) => ({ ...l, rel: 'noopener noreferrer nofollow', target: '_blank' }));

const anchors = (root) =>
  root.evaluateAll((as) => as.map((a) => ({ text: a.textContent, href: a.href, rel: a.rel, target: a.target })));

test('links in messages follow one rule, the same in the widget and the dashboard', async () => {
  const { context, page } = await visitor({ path: '/links' });
  const ann = await ownerSocket();
  await launcher(page).click();
  await send(page, 'hi');
  const hi = await ann.frame((f) => f.type === 'message' && f.body === 'hi', 'the first message');
  ann.send({ type: 'send', room: hi.room, body: LINK_CASES, cid: 'o-links' });
  await shows(page, (m) => m.body === LINK_CASES, 'the links message');
  const inWidget = await anchors(page.locator('[data-pt=message][data-mine=false] [data-pt=body] a'));
  const dash = await context.newPage();
  await dash.goto(`${app.base}/login`);
  const inDashboard = await dash.evaluate(async (text) => {
    const { linkify } = await import('/dom.js');
    const box = document.createElement('div');
    box.append(...linkify(text));
    return [...box.querySelectorAll('a')].map((a) => ({ text: a.textContent, href: a.href, rel: a.rel, target: a.target }));
  }, LINK_CASES);
  try {
    assert.deepEqual(inWidget, LINK_EXPECTED);
    assert.deepEqual(inDashboard, LINK_EXPECTED);
  } finally {
    await ann.close();
    await context.close();
  }
});

test('the widget and the dashboard reconnect by the same rule (docs/decisions.md)', () => {
  const NAMES = ['BACKOFF_FIRST_MS', 'BACKOFF_MAX_MS', 'RESTART_JITTER_MS', 'HEARTBEAT_SECS', 'SILENT_HEARTBEATS', 'RESEND_MS'];
  const constants = (path) => {
    const source = readFileSync(join(repoRoot, path), 'utf8');
    return Object.fromEntries(NAMES.map((name) => [name, Number(source.match(new RegExp(`const ${name} = ([\\d_.]+);`))?.[1].replace(/_/g, ''))]));
  };
  const widget = constants('web/widget/pintalk.js');
  assert.deepEqual(widget, { BACKOFF_FIRST_MS: 500, BACKOFF_MAX_MS: 15000, RESTART_JITTER_MS: 500, HEARTBEAT_SECS: 20, SILENT_HEARTBEATS: 2.5, RESEND_MS: 1000 });
  assert.deepEqual(constants('web/dashboard/realtime.js'), widget);
});
