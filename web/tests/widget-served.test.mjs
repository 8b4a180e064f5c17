// The widget as the server sends it: its size budget measured on the bytes that cross the
// wire (brotli and gzip, as browsers ask), and the compressed script the same as the plain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startApp, repoRoot } from './harness.mjs';

/** The most the widget may cost a page, compressed, in bytes. */
const BUDGET = 20 * 1024;

let app;

before(async () => {
  app = await startApp();
});

after(async () => {
  await app?.stop();
});

/** `GET /widget.js` with `accept-encoding`; the raw bytes as sent, never decoded. */
function fetchRaw(acceptEncoding) {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
    request(`${app.base}/widget.js`, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

test('the widget stays within its budget as served: at most 20 KB with brotli and with gzip', async (t) => {
  const source = readFileSync(join(repoRoot, 'web/widget/pintalk.js'));
  const plain = await fetchRaw(null);
  const br = await fetchRaw('gzip, deflate, br, zstd'); // what Chromium asks
  const gzip = await fetchRaw('gzip, deflate');
  for (const [reply, encoding] of [[plain, undefined], [br, 'br'], [gzip, 'gzip']]) {
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-encoding'], encoding);
  }
  t.diagnostic(`widget: ${source.length} bytes source, ${plain.body.length} minified, ${gzip.body.length} gzip, ${br.body.length} brotli`);
  assert.ok(plain.body.length < source.length, 'minified');
  assert.ok(br.body.length <= BUDGET, `${br.body.length} bytes with brotli`);
  assert.ok(gzip.body.length <= BUDGET, `${gzip.body.length} bytes with gzip`);
  assert.deepEqual(brotliDecompressSync(br.body), plain.body);
  assert.deepEqual(gunzipSync(gzip.body), plain.body);
});
