// The HTTP API under /api/v1: the bearer token on every call, one retry after a refresh
// when the server says the access token is no longer good, and errors as ApiError
// carrying the server's `{error, message}`.

import { t } from './i18n.js';
import { session, SessionEnded } from './session.js';

/** An error answer from the API; `message` is the server's, fit to show. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

async function errorOf(res) {
  const body = await res.json().catch(() => null);
  if (res.status >= 500 && body?.error !== 'unavailable') {
    const id = res.headers.get('x-request-id');
    return new ApiError(res.status, body?.error ?? 'internal',
      `Something went wrong on our side${id ? ` (request ${id})` : ''}. Please try again.`);
  }
  return new ApiError(res.status, body?.error ?? 'http_error', body?.message ?? t('net.failed', { status: res.status }));
}

function request(method, path, token, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  }).catch(() => {
    throw new ApiError(0, 'network', t('net.unreachable'));
  });
}

/**
 * Calls the API. `auth: false` for the sign-in pages; `raw: true` returns the Response
 * (for downloads). A 204 answers null.
 */
export async function api(method, path, { body, auth = true, raw = false } = {}) {
  let token = auth ? await session.accessToken() : null;
  let res = await request(method, path, token, body);
  if (auth && res.status === 401) {
    // Expired, or another tab rotated the pair: one more try with a fresh token.
    token = await session.replaceRejected(token);
    res = await request(method, path, token, body);
    if (res.status === 401) {
      session.clear('expired');
      throw new SessionEnded();
    }
  }
  if (!res.ok) throw await errorOf(res);
  if (raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Signs in and keeps the token pair. */
export async function login(email, password) {
  const pair = await api('POST', '/auth/login', { body: { email, password }, auth: false });
  session.store(pair);
}

/** Ends this session on the server (best effort) and forgets the tokens. */
export async function logout({ everywhere = false } = {}) {
  if (everywhere) await api('POST', '/auth/logout-all');
  else await api('POST', '/auth/logout').catch(() => {});
  session.clear('signed-out');
}

/** Changes the password; every other session ends, this one gets a fresh pair. */
export function changePassword(currentPassword, password) {
  return session.replaceWith(async (token) => {
    const res = await request('PUT', '/me/password', token, { current_password: currentPassword, password });
    if (!res.ok) throw await errorOf(res);
    return res.json();
  });
}

/** Downloads a response as a file, through a Blob URL (the token stays in the header). */
export async function download(path, fallbackName) {
  const res = await api('GET', path, { raw: true });
  const disposition = res.headers.get('content-disposition') ?? '';
  // RFC 6266: the UTF-8 `filename*` (a Korean site or visitor name) before the ASCII one.
  const utf8 = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition)?.[1];
  let name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  try {
    if (utf8) name = decodeURIComponent(utf8);
  } catch {}
  const url = URL.createObjectURL(await res.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
