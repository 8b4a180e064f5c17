// The owner dashboard (web/dashboard) driven in Chromium against the real server: signing
// up and in, sites and their settings, and the inbox live against a visitor — the real
// widget on a second origin, or a Node WebSocket client speaking docs/protocol.md as one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startApp, embedPage, screenshot } from './harness.mjs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor, row, bubble } = dashboardSuite();

test('signing up, verifying, signing in and creating a site through the UI shows the snippet', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const email = 'new-owner@example.com';
  const password = 'a long enough password';

  await page.goto(`${env.app.base}/signup`);
  await page.locator('input[name=name]').fill('Mina Park');
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${env.app.base}/sites/new`);
  await page.locator('.verify-banner:not([hidden])').waitFor();

  const token = await env.app.mailedToken(email, 'Verify');
  await page.goto(`${env.app.base}/verify-email#token=${token}`);
  await page.locator('[data-verified=true]').waitFor({ timeout: WAIT });
  assert.ok(!page.url().includes(token), 'the token is dropped from the address bar');

  await page.goto(`${env.app.base}/account`);
  // The account page's own button (the sidebar has one too); exactly "Sign out", since
  // `:has-text` would match "Sign out everywhere" too.
  await page.locator('main').getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(`${env.app.base}/login`);
  assert.equal(await page.evaluate(() => localStorage.getItem('pintalk.session')), null);

  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill('not the password');
  await page.locator('button[type=submit]').click();
  await page.locator('.form-error:has-text("wrong email or password")').waitFor();
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${env.app.base}/sites/new`);
  assert.equal(await page.locator('.verify-banner').isHidden(), true, 'verified: no banner');

  await page.locator('input[name=name]').fill('Mina’s plants');
  // A pasted page URL is refused as the server would refuse it, naming the origin to write.
  await page.locator('input[name=origin]').fill(`${env.host.origin}/some/page`);
  await page.locator('button[type=submit]:has-text("Create site")').click();
  await page.locator(`.origins .field-error:has-text("no path, query or fragment (${env.host.origin})")`).waitFor();
  await page.locator('input[name=origin]').fill(env.host.origin);
  await page.locator('button[type=submit]:has-text("Create site")').click();
  const snippet = page.locator('[data-pt=snippet]');
  await snippet.waitFor();
  const text = await snippet.textContent();

  const login = await env.app.api('POST', '/api/v1/auth/login', { body: { email, password } });
  const sites = await env.app.api('GET', '/api/v1/sites', { token: login.body.access_token });
  assert.equal(sites.body.length, 1);
  assert.deepEqual(sites.body[0].allowed_origins, [env.host.origin]);
  assert.equal(text, sites.body[0].snippet);
  assert.ok(text.includes(`data-site-key="${sites.body[0].site_key}"`));
  await context.close();
});

test('site settings: the preview follows the form, saving persists, rotating the key changes the snippet', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`, { viewport: { width: 1440, height: 1400 } });
  await page.locator('.pv-panel').waitFor();

  await page.locator('input[name=title]').fill('Talk to Ann');
  await page.locator('textarea[name=greeting]').fill('Hello! Ask me anything about our teas.');
  await page.locator('input[name=accent_color]').fill('#0e9f6e');
  await page.locator('.segmented button[data-value=left]').click();
  assert.equal(await page.locator('.pv-title').textContent(), 'Talk to Ann');
  assert.equal(await page.locator('.pv-head').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(14, 159, 110)');
  assert.equal(await page.locator('.pv-corner.pv-left').count(), 1);
  assert.ok(await page.locator('.pv-msg:has-text("Ask me anything about our teas")').isVisible());
  await page.evaluate(() => document.querySelector('.main').scrollTo(0, 0));
  await screenshot(page, 'dashboard-site.png');

  await page.locator('button:has-text("Save changes")').click();
  await page.locator('.save-bar:not(.dirty)').waitFor();
  const saved = await env.app.api('GET', `/api/v1/sites/${site.id}`, { token: owner.access });
  assert.equal(saved.body.widget.title, 'Talk to Ann');
  assert.equal(saved.body.widget.accent_color, '#0e9f6e');
  assert.equal(saved.body.widget.position, 'left');

  await page.locator('input[name=origin]').fill('not an origin');
  await page.locator('button[data-action=add-origin]').click();
  await page.locator('.field-error:not([hidden])').waitFor();

  await page.locator('button:has-text("Rotate key")').click();
  await page.locator('dialog button[value=ok]').click();
  await page.waitForFunction((old) => !document.querySelector('[data-pt=snippet]').textContent.includes(old), site.site_key);
  const rotated = await env.app.api('GET', `/api/v1/sites/${site.id}`, { token: owner.access });
  assert.notEqual(rotated.body.site_key, site.site_key);
  assert.equal(await page.locator('[data-pt=snippet]').textContent(), rotated.body.snippet);
  await context.close();
});

test('a visitor on the real widget and the owner on the dashboard talk live', async () => {
  const { owner, site } = await ownerWithSite({ title: 'Ask Ann' });
  const shop = env.host.page('/shop-widget', embedPage(env.app.base, site.site_key));
  const { context: ownerContext, page: dashboard } = await signIn(owner, `/sites/${site.id}`);
  const visitorContext = await env.browser.newContext();
  const shopPage = await visitorContext.newPage();
  await shopPage.goto(shop);
  await shopPage.locator('[data-pt=launcher]').click({ timeout: WAIT });
  await shopPage.locator('[data-pt=panel]:not([hidden])').waitFor();
  await shopPage.locator('[data-pt=input]').fill('Hello, is anyone there?');
  await shopPage.locator('[data-pt=input]').press('Enter');

  // A locator, not a handle: the inbox re-renders its rows on every frame (presence, the
  // room's `created`), so an element found once may be gone by the time it is clicked.
  const newRow = dashboard.locator('.room-row[data-room]');
  await newRow.waitFor({ timeout: WAIT });
  assert.ok((await newRow.textContent()).includes('Hello, is anyone there?'), 'the preview shows the message');
  await newRow.click();
  await dashboard.locator(bubble('Hello, is anyone there?')).waitFor();
  await dashboard.locator('.convo .presence-text[data-online=true]').waitFor({ timeout: WAIT });

  await dashboard.locator('[data-role=composer]').fill('Hi! Ann here. How can I help?');
  await dashboard.locator('[data-role=composer]').press('Enter');
  await shopPage.locator('[data-pt=message][data-mine=false] [data-pt=body] >> text=Hi! Ann here. How can I help?').waitFor({ timeout: WAIT });
  await dashboard.locator('.msg.mine[data-seq]:not(.pending)').waitFor();
  await ownerContext.close();
  await visitorContext.close();
});

test('the inbox shows a new conversation live, with unread count, online dot and typing, and the owner replies', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}`);
  await page.locator('.list-empty').waitFor();

  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Do you ship to Busan?');
  await visitor.say('And how long does it take?');
  await page.locator(`${row(visitor.room)}[data-unread="2"]`).waitFor({ timeout: WAIT });
  await page.locator(`${row(visitor.room)} .presence[data-online=true]`).waitFor();
  assert.ok((await page.locator(row(visitor.room)).textContent()).includes('And how long does it take?'));

  visitor.typing(true);
  await page.locator(`${row(visitor.room)} .typing-text`).waitFor();

  await page.locator('.search-input').fill('busan-nothing');
  await page.locator('.list-empty').waitFor();
  await page.locator('.search-input').fill('how long');
  await page.locator(row(visitor.room)).waitFor();
  await page.locator('.search-input').fill('');

  await page.locator(row(visitor.room)).click();
  await page.locator(bubble('Do you ship to Busan?')).waitFor();
  await page.locator('.convo .typing-row:not([hidden])').waitFor();
  // The owner now sees both messages: the read mark reaches the visitor and the badge goes.
  await visitor.next((f) => f.type === 'read' && f.reader.kind === 'owner' && f.seq === 2, 'the owner read mark');
  await page.locator(`${row(visitor.room)}[data-unread="0"]`).waitFor();
  visitor.typing(false);
  await page.locator('.convo .typing-row[hidden]').waitFor({ state: 'attached' });

  await page.locator('[data-role=composer]').pressSequentially('Yes, we do.');
  await visitor.next((f) => f.type === 'typing' && f.sender.kind === 'owner' && f.active, 'the owner typing');
  await page.keyboard.down('Shift');
  await page.keyboard.press('Enter');
  await page.keyboard.up('Shift');
  await page.locator('[data-role=composer]').pressSequentially('Two days.');
  await page.keyboard.press('Enter');
  const reply = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the reply');
  assert.equal(reply.body, 'Yes, we do.\nTwo days.', 'Shift+Enter is a new line; Enter sends');
  assert.equal(reply.sender.name, 'Ann');
  assert.equal(await page.locator('[data-role=composer]').inputValue(), '');

  visitor.read(reply.seq);
  await page.locator(`.msg.mine[data-seq="${reply.seq}"] .receipt:text("Seen")`).waitFor({ timeout: WAIT });

  visitor.close();
  await page.locator('.convo .presence-text[data-online=false]').waitFor({ timeout: WAIT });
  await context.close();
});

test('message text is never HTML, and links become safe anchors', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}`);
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('<img src=x onerror="window.__pwned=1"><b>bold</b> see https://example.com/a?b=1. javascript:alert(1)');
  await page.locator(row(visitor.room)).click({ timeout: WAIT });
  const body = page.locator('.convo .msg.theirs .body');
  await body.waitFor();
  assert.equal(await body.locator('img').count(), 0);
  assert.equal(await body.locator('b').count(), 0);
  assert.ok((await body.textContent()).startsWith('<img src=x onerror="window.__pwned=1"><b>bold</b>'));
  const links = await body.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.href, rel: a.rel, target: a.target, text: a.textContent })));
  assert.deepEqual(links, [{ href: 'https://example.com/a?b=1', rel: 'noopener noreferrer nofollow', target: '_blank', text: 'https://example.com/a?b=1' }]);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.ok(!(await page.locator('.room-list').innerHTML()).includes('<b>'), 'previews are text too');
  visitor.close();
  await context.close();
});

test('history loads upward as the owner scrolls', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  for (let i = 1; i <= 120; i++) await visitor.say(`message number ${i}`);
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`);
  await page.locator('.msg[data-seq="120"]').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('.msg[data-seq="1"]').count(), 0, 'only the newest page at first');
  assert.equal(await page.locator('.msg[data-seq]').count(), 50);
  // Keep scrolling to the top until the first message is there.
  await page.waitForFunction(() => {
    document.querySelector('.messages').scrollTop = 0;
    return document.querySelector('.msg[data-seq="1"]') !== null;
  }, null, { timeout: WAIT, polling: 100 });
  const seqs = await page.locator('.msg[data-seq]').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, Array.from({ length: 120 }, (_, i) => i + 1), 'every message once, in order');
  visitor.close();
  await context.close();
});

test('closing, reopening, the transcript, blocking the visitor and deleting the conversation', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Please send me the invoice.');
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`);
  await page.locator(bubble('Please send me the invoice.')).waitFor({ timeout: WAIT });

  await page.locator('button[data-action=close]').click();
  await page.locator('button[data-action=reopen]').waitFor();
  await page.locator(row(visitor.room)).waitFor({ state: 'detached' });
  await page.locator('.tabs button[data-tab=closed]').click();
  await page.locator(row(visitor.room)).waitFor();
  const closed = await env.app.api('GET', `/api/v1/rooms/${visitor.room}`, { token: owner.access });
  assert.equal(closed.body.status, 'closed');

  await page.locator('button[data-action=reopen]').click();
  await page.locator('button[data-action=close]').waitFor();
  await page.locator('.tabs button[data-tab=open]').click();
  await page.locator(row(visitor.room)).waitFor();

  await page.locator('summary[data-action=more]').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('button[data-action=transcript-text]').click(),
  ]);
  const tag = visitor.session.visitor_id.replace(/-/g, '').slice(-4);
  assert.match(download.suggestedFilename(), new RegExp(`^pintalk-shop-visitor-${tag}-\\d{4}-\\d{2}-\\d{2}\\.txt$`));
  assert.ok(!download.url().includes('token'), 'no token in the download URL');
  const transcript = readFileSync(await download.path(), 'utf8');
  assert.match(transcript, /Visitor: Please send me the invoice\./);

  await page.locator('summary[data-action=more]').click();
  await page.locator('button[data-action=block]').click();
  await page.locator('dialog button[value=ok]').click();
  await page.locator('.convo-note:has-text("You blocked this visitor")').waitFor();
  assert.equal(await visitor.closed, 4003, 'the visitor socket is closed as blocked');

  await page.locator('summary[data-action=more]').click();
  await page.locator('button[data-action=delete]').click();
  await page.locator('dialog button[value=ok]').click();
  await page.waitForURL(`${env.app.base}/sites/${site.id}`);
  await page.locator(row(visitor.room)).waitFor({ state: 'detached' });
  const gone = await env.app.api('GET', `/api/v1/rooms/${visitor.room}`, { token: owner.access });
  assert.equal(gone.status, 404);
  await context.close();
});

test('a visitor message while the tab is hidden raises a desktop notification and counts in the title and the icon', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}`);
  await context.grantPermissions(['notifications'], { origin: env.app.base });
  // Record notifications, and let the test say when the tab is hidden.
  await page.evaluate(() => {
    window.__notes = [];
    window.Notification = class {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title, options) { window.__notes.push({ title, body: options.body }); }
      close() {}
    };
    let hidden = true;
    Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible'), configurable: true });
    window.__show = () => { hidden = false; document.dispatchEvent(new Event('visibilitychange')); };
  });
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Anyone around?');
  await page.waitForFunction(() => window.__notes.length === 1, null, { timeout: WAIT });
  const [note] = await page.evaluate(() => window.__notes);
  assert.equal(note.body, 'Anyone around?');
  assert.ok(note.title.endsWith('Shop'));
  assert.equal(await page.title(), '(1) PinTalk');
  const icon = page.locator('link[rel=icon]');
  assert.equal(await icon.getAttribute('data-count'), '1', 'the count on the tab\'s icon too');
  assert.match(await icon.getAttribute('href'), /^data:image\/svg\+xml,/);
  await page.evaluate(() => window.__show());
  assert.equal(await page.title(), 'PinTalk');
  assert.equal(await icon.getAttribute('href'), '/icon.svg');
  visitor.close();
  await context.close();
});

test('while the network is down the reply waits, then is sent once after the reconnect', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Are you there?');
  // Every dashboard socket goes through a route the test can cut, like a network drop.
  const links = [];
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`, {
    prepare: (ctx) => ctx.routeWebSocket(/\/ws$/, (ws) => {
      ws.connectToServer();
      links.push(ws);
    }),
  });
  await page.locator(bubble('Are you there?')).waitFor({ timeout: WAIT });

  await context.setOffline(true);
  links.at(-1).close({ code: 1012, reason: 'network gone' });
  await page.locator('.conn-status:not([data-state=live])').waitFor({ timeout: WAIT });
  await visitor.say('Hello?');
  await page.locator('[data-role=composer]').fill('Sorry, one moment!');
  await page.locator('[data-role=composer]').press('Enter');
  await page.locator('.msg.mine.pending').waitFor();
  await context.setOffline(false);

  await page.locator('.conn-status[data-state=live]').waitFor({ timeout: 40_000 });
  await page.locator(bubble('Hello?')).waitFor({ timeout: WAIT });
  const reply = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the queued reply');
  assert.equal(reply.body, 'Sorry, one moment!');
  await page.locator(`.msg.mine[data-seq="${reply.seq}"]`).waitFor();
  assert.equal(await page.locator('.msg.mine').count(), 1, 'the reply exists once');
  assert.equal(visitor.frames.filter((f) => f.type === 'message' && f.sender.kind === 'owner').length, 1);
  assert.ok(links.length >= 2, 'the dashboard opened a new socket');
  visitor.close();
  await context.close();
});

test('changing the password keeps this dashboard signed in and live on the new session', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, '/account');
  const before = await page.evaluate(() => JSON.parse(localStorage.getItem('pintalk.session')));
  await page.locator('input[name=current_password]').fill(owner.password);
  await page.locator('input[name=password]').fill('a brand new password');
  await page.locator('button:has-text("Change password")').click();
  await page.locator('.toast:has-text("Password changed")').waitFor({ timeout: WAIT });
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('pintalk.session')));
  assert.notEqual(after.refresh, before.refresh);
  // The server closed the old socket (4003); the dashboard reconnects with the new token.
  await page.goto(`${env.app.base}/sites/${site.id}`);
  await page.locator('.conn-status[data-state=live]').waitFor({ timeout: WAIT });
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Still there?');
  await page.locator(row(visitor.room)).waitFor({ timeout: WAIT });
  const old = await env.app.api('GET', '/api/v1/me', { token: owner.access });
  assert.equal(old.status, 401, 'the old session is over');
  visitor.close();
  await context.close();
});

test('the access token is refreshed before it expires', async () => {
  const shortLived = await startApp({ PINTALK__AUTH__ACCESS_TOKEN_TTL_SECS: '62' });
  try {
    const owner = await shortLived.owner('refresh@example.com');
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${shortLived.base}/login`);
    await page.locator('input[name=email]').fill(owner.email);
    await page.locator('input[name=password]').fill(owner.password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${shortLived.base}/sites/new`);
    const first = await page.evaluate(() => JSON.parse(localStorage.getItem('pintalk.session')));
    // Refreshes are due 60 s before expiry: with 62-second tokens, every few seconds.
    await page.waitForFunction((old) => {
      const now = JSON.parse(localStorage.getItem('pintalk.session'));
      return now && now.refresh !== old;
    }, first.refresh, { timeout: WAIT, polling: 200 });
    await page.locator('input[name=name]').fill('Still signed in');
    await page.locator('button[type=submit]:has-text("Create site")').click();
    await page.locator('[data-pt=snippet]').waitFor({ timeout: WAIT });
    const reuse = await shortLived.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh } });
    assert.equal(reuse.status, 401, 'the first refresh token was rotated away');
    await context.close();
  } finally {
    await shortLived.stop();
  }
});

test('the inbox screenshot: a live conversation with replies', async () => {
  const { owner, site } = await ownerWithSite({ accent_color: '#4f46e5' });
  const others = [];
  for (const text of ['Is the blue kettle back in stock?', 'Thanks, the order arrived today!']) {
    const v = await NodeVisitor.open(site.site_key);
    await v.say(text);
    others.push(v);
  }
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Hi! Do you ship to Korea?');
  await visitor.say('I found you on https://example.com/teas');
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`);
  await page.locator(bubble('Hi! Do you ship to Korea?')).waitFor({ timeout: WAIT });
  await page.locator('[data-role=composer]').fill('Yes, we do! Shipping to Korea takes 3–5 days.');
  await page.locator('[data-role=composer]').press('Enter');
  const reply = await visitor.next((f) => f.type === 'message' && f.sender.kind === 'owner', 'the reply');
  visitor.read(reply.seq);
  await page.locator('.receipt:text("Seen")').waitFor({ timeout: WAIT });
  await visitor.say('Perfect, thank you!');
  await page.locator(bubble('Perfect, thank you!')).waitFor();
  await page.locator('.notify-offer button[aria-label="Not now"]').click();
  others[0].typing(true);
  await page.locator('.typing-text').waitFor();
  await page.locator('[data-role=composer]').fill('Anything else I can help with?');
  await page.evaluate(() => document.activeElement.blur());
  await screenshot(page, 'dashboard-inbox.png');
  for (const v of [...others, visitor]) v.close();
  await context.close();
});

test('a forgotten password is reset through the mailed link', async () => {
  const { owner } = await ownerWithSite();
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.app.base}/login`);
  await page.locator('a:has-text("Forgot password?")').click();
  await page.locator('input[name=email]').fill(owner.email);
  await page.locator('button[type=submit]').click();
  await page.locator('.notice-success').waitFor();

  const token = await env.app.mailedToken(owner.email, 'Reset');
  await page.goto(`${env.app.base}/reset-password#token=${token}`);
  assert.ok(!page.url().includes(token), 'the token is dropped from the address bar');
  await page.locator('input[name=password]').fill('the new password');
  await page.locator('input[name=confirm]').fill('the new password');
  await page.locator('button[type=submit]').click();
  await page.locator('.notice-success:has-text("Your password is changed")').waitFor();
  await page.locator('a:has-text("Sign in")').click();
  await page.locator('input[name=email]').fill(owner.email);
  await page.locator('input[name=password]').fill('the new password');
  await page.locator('button[type=submit]').click();
  await page.locator('.conn-status[data-state=live]').waitFor({ timeout: WAIT });

  // Used once, the link says so at once (web/tests/dashboard-account.test.mjs has more).
  await page.goto(`${env.app.base}/reset-password#token=${token}`);
  await page.locator('[data-link=dead]').waitFor();
  assert.equal(await page.locator('input[name=password]').count(), 0);
  await context.close();
});

test('the profile is edited, and deleting the account signs out and removes it', async () => {
  const { owner } = await ownerWithSite();
  const { context, page } = await signIn(owner, '/account');
  await page.locator('input[name=name]').fill('Ann Kim');
  await page.locator('input[name=company]').fill('Kim Teas');
  await page.locator('button:has-text("Save profile")').click();
  await page.locator('.me-text strong:text("Ann Kim")').waitFor();
  const me = await env.app.api('GET', '/api/v1/me', { token: owner.access });
  assert.equal(me.body.name, 'Ann Kim');
  assert.equal(me.body.company, 'Kim Teas');

  await page.locator('button:has-text("Delete account")').click();
  const confirm = page.locator('dialog button[value=ok]');
  assert.equal(await confirm.isDisabled(), true, 'only after typing the email');
  await page.locator('dialog input').fill(owner.email);
  await confirm.click();
  await page.waitForURL(`${env.app.base}/login`);
  const login = await env.app.api('POST', '/api/v1/auth/login', { body: { email: owner.email, password: owner.password } });
  assert.equal(login.status, 401);
  await context.close();
});
