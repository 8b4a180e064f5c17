// Webhooks from the site settings: add an endpoint (its secret shown once), get the
// site's events at a real receiver, signed as docs/webhooks.md says, and redeliver one
// from the delivery log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor } = dashboardSuite({
  // The receiver is on 127.0.0.1.
  PINTALK__WEBHOOKS__ALLOW_PRIVATE_TARGETS: 'true',
  PINTALK__WEBHOOKS__POLL_MS: '50',
});

/** A receiver on an ephemeral port of 127.0.0.1 that keeps every request and answers 204. */
async function startReceiver() {
  const got = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      got.push({ signature: req.headers['pintalk-signature'], event: req.headers['pintalk-event'], eventId: req.headers['pintalk-event-id'], body });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/hooks`;
  return { url, got, close: () => server.close() };
}

async function until(what, probe) {
  for (let i = 0; i < WAIT / 50; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`waited for ${what}`);
}

/** The docs' verification: HMAC-SHA256(secret, "<t>.<body>"), compared in constant time. */
function verify(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const receiver = await startReceiver();
after(() => receiver.close());

test('an owner adds a webhook, copies its secret once, and redelivers from the log', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`);
  const section = page.locator('[data-section=webhooks]');
  await section.locator(':text("No webhook endpoints yet.")').waitFor({ timeout: WAIT });
  await section.getByLabel('Endpoint URL').fill(receiver.url);
  await section.getByRole('button', { name: 'Add endpoint' }).click();
  // The secret, or the form's error (which the assertion then shows).
  await section.locator('[data-role=webhook-secret], .webhook-add .form-error:not([hidden])').first().waitFor({ timeout: WAIT });
  assert.equal(await section.locator('.webhook-add .form-error:not([hidden])').count(), 0,
    await section.locator('.webhook-add .form-error').textContent());
  const secret = (await section.locator('[data-role=webhook-secret] code').textContent({ timeout: WAIT })).trim();
  assert.match(secret, /^whsec_/);

  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('Hello, hooks');
  const got = await until('two events', () => receiver.got.length >= 2 && receiver.got);
  assert.deepEqual(got.map((r) => r.event).sort(), ['conversation.created', 'message.created']);
  for (const r of got) assert.ok(verify(secret, r.signature, r.body), 'signed with the secret shown');
  const message = got.find((r) => r.event === 'message.created');
  assert.equal(JSON.parse(message.body).data.message.body, 'Hello, hooks');

  const hooks = await env.app.api('GET', `/api/v1/sites/${site.id}/webhooks`, { token: owner.access });
  const hook = hooks.body[0];
  await until('both delivered', async () => {
    const log = await env.app.api('GET', `/api/v1/sites/${site.id}/webhooks/${hook.id}/deliveries`, { token: owner.access });
    return log.body.deliveries.length === 2 && log.body.deliveries.every((d) => d.status === 'delivered');
  });
  const row = section.locator(`[data-webhook="${hook.id}"]`);
  await row.getByRole('button', { name: 'Show deliveries' }).click();
  const entry = row.locator(`.delivery-item[data-event="${message.eventId}"]`);
  await entry.locator('[data-status=delivered]').waitFor({ timeout: WAIT });
  await entry.getByRole('button', { name: 'Redeliver' }).click();
  const again = await until('the redelivery', () => receiver.got.length >= 3 && receiver.got[2]);
  assert.equal(again.eventId, message.eventId, 'the same event');
  assert.equal(again.body, message.body);
  assert.ok(verify(secret, again.signature, again.body));

  // The secret was shown once: not after a reload.
  await page.reload();
  await row.waitFor({ timeout: WAIT });
  assert.equal(await section.locator('[data-role=webhook-secret]').count(), 0);
  visitor.close();
  await context.close();
});
