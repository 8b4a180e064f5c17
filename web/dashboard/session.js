// The signed-in owner's tokens.
//
// Where they live, and why: the pair (access token, refresh token, expiry) is kept in
// localStorage under one key, so a reload or a second tab stays signed in. Refresh tokens
// rotate and presenting a rotated one revokes the whole session, so two tabs must never
// refresh the same token: every refresh runs under a Web Lock that all tabs share and
// re-reads storage inside it; a tab that finds the pair already rotated adopts it instead.
// Tokens only ever travel in the Authorization header and the socket's first frame —
// never in a URL.

import { t } from './i18n.js';

const KEY = 'pintalk.session';
const LOCK = 'pintalk.session';
/** Refresh this long before the access token expires. */
const MARGIN_MS = 60_000;

/** The session is gone (revoked, expired, signed out): sign in again. */
export class SessionEnded extends Error {
  constructor(message = t('session.ended')) {
    super(message);
    this.name = 'SessionEnded';
  }
}

const listeners = new Set();
let timer = null;
/** In-tab fallback when the Web Locks API is missing (non-secure contexts). */
let localChain = Promise.resolve();

function read() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY));
    return value && value.access && value.refresh ? value : null;
  } catch {
    return null;
  }
}

function withLock(fn) {
  if (navigator.locks?.request) return navigator.locks.request(LOCK, fn);
  const run = localChain.then(fn, fn);
  localChain = run.catch(() => {});
  return run;
}

function notify(reason) {
  for (const fn of listeners) fn(read(), reason);
}

function schedule() {
  clearTimeout(timer);
  const current = read();
  if (!current) return;
  const due = Math.max(5_000, current.expiresAt - Date.now() - MARGIN_MS);
  timer = setTimeout(() => session.accessToken().catch(() => {}), due);
}

/** Trades the stored refresh token for a new pair; must run under the lock. */
async function rotate(current) {
  let res;
  try {
    res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh }),
    });
  } catch {
    throw Object.assign(new Error(t('net.unreachable')), { code: 'network' });
  }
  if (res.ok) {
    session.store(await res.json());
    return read().access;
  }
  if (res.status === 401 || res.status === 400) {
    session.clear('expired');
    throw new SessionEnded();
  }
  const body = await res.json().catch(() => ({}));
  throw Object.assign(new Error(body.message ?? `Refresh failed (${res.status})`), { code: body.error });
}

export const session = {
  signedIn() {
    return read() !== null;
  },

  /** Keeps a token pair from login, refresh or a password change. */
  store(pair) {
    const value = {
      access: pair.access_token,
      refresh: pair.refresh_token,
      expiresAt: Date.now() + pair.expires_in * 1000,
    };
    localStorage.setItem(KEY, JSON.stringify(value));
    schedule();
    notify('stored');
  },

  clear(reason = 'signed-out') {
    const had = read() !== null;
    localStorage.removeItem(KEY);
    clearTimeout(timer);
    if (had) notify(reason);
  },

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken() {
    const current = read();
    if (!current) throw new SessionEnded();
    if (current.expiresAt - Date.now() > MARGIN_MS) return current.access;
    return withLock(async () => {
      const now = read();
      if (!now) throw new SessionEnded();
      if (now.expiresAt - Date.now() > MARGIN_MS) return now.access;
      return rotate(now);
    });
  },

  /** After the server refused `rejected`: a newer token if another tab or call has one, else a refresh. */
  async replaceRejected(rejected) {
    return withLock(async () => {
      const now = read();
      if (!now) throw new SessionEnded();
      if (now.access !== rejected) return now.access;
      return rotate(now);
    });
  },

  /**
   * Runs `fn(accessToken)` — which must answer with a new token pair, like a password
   * change — under the lock, so no tab refreshes a token that is about to be revoked.
   */
  async replaceWith(fn) {
    const token = await session.accessToken();
    return withLock(async () => {
      const pair = await fn(token);
      session.store(pair);
      return pair;
    });
  },

  /** Calls `fn(pair, reason)` when the session is stored, cleared, or changed by another tab. */
  onChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

window.addEventListener('storage', (event) => {
  if (event.key !== KEY && event.key !== null) return;
  schedule();
  notify(read() ? 'other-tab' : 'signed-out');
});

// A tab coming back from the background may have missed its timer.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && read()) session.accessToken().catch(() => {});
});

schedule();
