// The one browser-test harness: starts the real all-in-one server (target/debug/pintalk)
// on a free port with its own data directory, serves host pages on a second origin (as a
// customer's site would), and launches Debian's Chromium through playwright-core.
//
//   const app = await startApp();            // { base, gatewayUrl, dataDir, stop() }
//   const owner = await app.owner('ann@example.com');   // signed up, verified, logged in
//   const site = await app.site(owner, [host.origin]);   // API JSON of the site
//   const host = await startHost();          // { origin, page(name, html), stop() }
//   const browser = await launchBrowser();   // playwright Browser
//   await screenshot(page, 'widget-open.png'); // docs/img, only with UPDATE_SCREENSHOTS=1
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort() {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

async function waitFor(url, tries = 200) {
  for (let i = 0; i < tries; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never answered`);
}

/** Starts the all-in-one server. */
export async function startApp(env = {}) {
  const binary = join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/pintalk');
  if (!existsSync(binary)) throw new Error(`${binary} missing: build it first (scripts/test does)`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'pintalk-web-'));
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [], {
    cwd: dataDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      PINTALK__SERVER__PORT: String(port),
      PINTALK__SERVER__PUBLIC_URL: base,
      PINTALK__DATA_DIR: dataDir,
      PINTALK__DATABASE__URL: `sqlite://${dataDir}/pintalk.db`,
      PINTALK__AUTH__BCRYPT_COST: '10',
      PINTALK__LIMITS__SIGNUPS_PER_IP: '1000',
      PINTALK__LIMITS__SESSIONS_PER_IP: '1000',
      ...env,
    },
  });
  await waitFor(`${base}/healthz`);
  const app = {
    base,
    dataDir,
    gatewayUrl: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      child.kill('SIGKILL');
    },
    async api(method, path, { token, body, origin } = {}) {
      const headers = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (origin) headers.origin = origin;
      const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    /** The newest mail to `to` that contains `subject` (and `needle`), once it is written. */
    async mailed(to, subject, needle = '') {
      const dir = join(dataDir, 'mail');
      for (let i = 0; i < 100; i++) {
        const files = existsSync(dir) ? readdirSync(dir).sort().reverse() : [];
        for (const f of files) {
          const text = readFileSync(join(dir, f), 'utf8');
          if (text.includes(`To: ${to}`) && text.includes(subject) && text.includes(needle)) return text;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no mail to ${to} about ${subject}`);
    },
    /** The token in the newest mail to `to` whose subject contains `subject`. */
    async mailedToken(to, subject) {
      return (await app.mailed(to, subject, 'token=')).match(/token=([A-Za-z0-9_-]+)/)[1];
    },
    /** Signs up, verifies and logs in an owner; returns { email, password, access, refresh }. */
    async owner(email, password = 'correct horse battery') {
      const signup = await app.api('POST', '/api/v1/auth/signup', { body: { email, password, name: 'Ann' } });
      if (signup.status !== 201) throw new Error(JSON.stringify(signup));
      const token = await app.mailedToken(email, 'Verify');
      await app.api('POST', '/api/v1/auth/email/verify', { body: { token } });
      const login = await app.api('POST', '/api/v1/auth/login', { body: { email, password } });
      return { email, password, access: login.body.access_token, refresh: login.body.refresh_token };
    },
    async site(owner, origins, widget = {}) {
      const res = await app.api('POST', '/api/v1/sites', { token: owner.access, body: { name: 'Shop', allowed_origins: origins, widget } });
      if (res.status !== 201) throw new Error(JSON.stringify(res));
      return res.body;
    },
  };
  return app;
}

/** Serves host pages (a customer's site) on their own origin. */
export async function startHost() {
  const pages = new Map();
  const server = createServer((req, res) => {
    const html = pages.get(new URL(req.url, 'http://x').pathname);
    if (!html) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  const port = await freePort();
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    /** Adds a page; returns its URL. */
    page(path, html) {
      pages.set(path, html);
      return origin + path;
    },
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

/** An embed page for `site` served by the app at `base`. */
export function embedPage(base, siteKey, extra = '') {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>A shop</h1>${extra}
<script src="${base}/widget.js" data-site-key="${siteKey}" async></script></body></html>`;
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const repoRoot = root;

/**
 * Saves the page as docs/img/`name` (a README screenshot) when UPDATE_SCREENSHOTS=1 is set;
 * otherwise does nothing, so a test run leaves the git tree as it found it.
 */
export async function screenshot(page, name) {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  const dir = join(root, 'docs/img');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name) });
}
