// What the dashboard's browser tests share: a fresh owner with a site, a signed-in browser
// context, and a visitor speaking docs/protocol.md from Node. `env` holds the app, the
// host and the browser once the test file's `before` has started them.
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import WebSocket from 'ws';
import { startApp, startHost, launchBrowser } from './harness.mjs';

export const WAIT = 15_000;

export function dashboardKit(env) {
  let owners = 0;
  /** A fresh verified owner with one site allowing the host origin. */
  async function ownerWithSite(widget = {}) {
    owners += 1;
    const owner = await env.app.owner(`owner${owners}@example.com`);
    const site = await env.app.site(owner, [env.host.origin], widget);
    return { owner, site };
  }

  /**
   * A browser context signed in through the login form, on `path`, with its socket live.
   * `prepare(context)` runs before the first page opens (e.g. to route its sockets).
   */
  async function signIn(owner, path = '/', { viewport = { width: 1440, height: 900 }, prepare } = {}) {
    const context = await env.browser.newContext({ viewport });
    await prepare?.(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('dashboard page error:', err));
    await page.goto(`${env.app.base}/login`);
    await page.locator('input[name=email]').fill(owner.email);
    await page.locator('input[name=password]').fill(owner.password);
    await page.locator('button[type=submit]').click();
    await page.locator('.conn-status[data-state=live]').waitFor({ timeout: WAIT });
    if (path !== '/') await page.goto(env.app.base + path);
    await page.locator('.conn-status[data-state=live]').waitFor({ timeout: WAIT });
    return { context, page };
  }

  /** A visitor as the widget would be: a session over HTTP, then a socket (docs/protocol.md). */
  class NodeVisitor {
    frames = [];
    #waiters = [];

    static async open(siteKey, origin = env.host.origin) {
      const res = await fetch(`${env.app.base}/api/v1/widget/sessions?site_key=${siteKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ site_key: siteKey }),
      });
      const session = await res.json();
      assert.equal(res.status, 200, JSON.stringify(session));
      const visitor = new NodeVisitor(session, origin);
      await visitor.connect();
      return visitor;
    }

    constructor(session, origin) {
      this.session = session;
      this.room = session.room.id;
      this.origin = origin;
      this.cids = 0;
    }

    async connect() {
      this.ws = new WebSocket(this.session.gateway_url, { origin: this.origin });
      this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
      this.ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        this.frames.push(frame);
        this.#waiters = this.#waiters.filter((w) => !(w.match(frame) && (w.resolve(frame), true)));
      });
      await new Promise((resolve, reject) => {
        this.ws.once('open', resolve);
        this.ws.once('error', reject);
      });
      this.ws.send(JSON.stringify({ type: 'auth', token: this.session.token }));
      await this.next((f) => f.type === 'ready');
    }

    /** The first frame (already received or still to come) that matches. */
    next(match, what = 'a frame') {
      const seen = this.frames.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`visitor never got ${what}`)), WAIT);
        this.#waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); } });
      });
    }

    /** Sends a message and waits for its ack (resending after a retriable error, as the protocol says). */
    async say(body) {
      const cid = `v-${++this.cids}`;
      const frame = JSON.stringify({ type: 'send', room: this.room, body, cid });
      this.ws.send(frame);
      for (;;) {
        const answer = await this.next((f) => f.cid === cid && (f.type === 'ack' || f.type === 'error'), `the ack of ${cid}`);
        if (answer.type === 'ack') return answer;
        assert.ok(answer.retriable, `send refused: ${answer.message}`);
        this.frames.splice(this.frames.indexOf(answer), 1);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        this.ws.send(frame);
      }
    }

    typing(active) {
      this.ws.send(JSON.stringify({ type: 'typing', room: this.room, active }));
    }

    read(seq) {
      this.ws.send(JSON.stringify({ type: 'read', room: this.room, seq }));
    }

    close() {
      this.ws.close();
    }
  }

  /** A conversation's row in the inbox. */
  const row = (room) => `.room-row[data-room="${room}"]`;
  /** A message bubble's text in the open conversation. */
  const bubble = (text) => `.convo .msg .body >> text=${text}`;

  return { ownerWithSite, signIn, NodeVisitor, row, bubble };
}

/**
 * One test file's app (with `appEnv` added to its environment), host and browser, started
 * before its tests and stopped after them: `env` (filled once started) and the kit on it.
 */
export function dashboardSuite(appEnv = {}) {
  const env = {};
  before(async () => {
    const [app, host, browser] = await Promise.all([startApp(appEnv), startHost(), launchBrowser()]);
    Object.assign(env, { app, host, browser });
  });
  after(async () => {
    await env.browser?.close();
    await env.host?.stop();
    await env.app?.stop();
  });
  return { env, ...dashboardKit(env) };
}
