// IP bans and a site's limits on its settings page: ban an address, which then gets no
// widget config and no session; lift it; set a limit, leave the others at the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

function widgetConfig(site) {
  return env.app.api('GET', `/api/v1/widget/config?site_key=${site.site_key}`, { origin: env.host.origin });
}

test('a ban added on the settings page keeps that address out, and Lift lets it back', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`);
  const section = page.locator('[data-section=bans]');
  await section.locator(':text("No address is banned on this site.")').waitFor({ timeout: WAIT });

  const form = section.locator('[data-role=ban-add]');
  await form.locator('input[name=ban_network]').fill('10.9.8.7/24');
  await form.getByRole('button', { name: 'Ban' }).click();
  await section.locator('[data-network="10.9.8.0/24"]').waitFor({ timeout: WAIT });
  // A bad network is refused with the server's words, nothing added.
  await form.locator('input[name=ban_network]').fill('10.0.0.0/33');
  await form.getByRole('button', { name: 'Ban' }).click();
  await form.locator('.form-error:not([hidden])').waitFor({ timeout: WAIT });
  assert.match(await form.locator('.form-error').textContent(), /network/);

  // The tests' browser and client come from 127.0.0.1.
  await form.locator('input[name=ban_network]').fill('127.0.0.1');
  await form.locator('input[name=ban_note]').fill('testing the ban');
  await form.locator('select[name=ban_expiry]').selectOption({ label: 'A day' });
  await form.getByRole('button', { name: 'Ban' }).click();
  const mine = section.locator('[data-network="127.0.0.1/32"]');
  await mine.waitFor({ timeout: WAIT });
  assert.match(await mine.textContent(), /testing the ban/);
  assert.equal((await widgetConfig(site)).body.error, 'ip_banned');
  const listed = await env.app.api('GET', `/api/v1/sites/${site.id}/bans`, { token: owner.access });
  assert.ok(listed.body.bans.find((b) => b.network === '127.0.0.1/32').expires_at, 'a day, not for ever');

  await mine.getByRole('button', { name: 'Lift' }).click();
  await mine.waitFor({ state: 'detached', timeout: WAIT });
  assert.equal((await widgetConfig(site)).status, 200);
  await context.close();
});

test('a site\'s limits show the defaults and save what the owner sets', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`);
  const form = page.locator('[data-role=limits]');
  const messages = form.locator('input[name=messages_per_minute]');
  await page.waitForFunction(() => document.querySelector('input[name=messages_per_minute]')?.placeholder, null, { timeout: WAIT });
  assert.equal(await messages.getAttribute('placeholder'), 'Default: 30');
  await messages.fill('5');
  await form.getByRole('button', { name: 'Save limits' }).click();
  await page.locator(':text("Limits saved")').waitFor({ timeout: WAIT });
  const limits = await env.app.api('GET', `/api/v1/sites/${site.id}/limits`, { token: owner.access });
  assert.equal(limits.body.messages_per_minute, 5);
  assert.equal(limits.body.sessions_per_ip, null);
  await context.close();
});
