// API tokens on the account page: create one (shown once, with Copy), a bot calls the
// API with it, the list says when it was last used, and Revoke ends it at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

test('an owner creates an API token, sees it once, and revokes it', async () => {
  const { owner } = await ownerWithSite();
  const { context, page } = await signIn(owner, '/account');
  const section = page.locator('[data-section=api-tokens]');
  await section.locator(':text("No API tokens yet.")').waitFor({ timeout: WAIT });
  await section.getByLabel('Token name').fill('Support bot');
  await section.getByLabel('Access').selectOption('write');
  await section.getByRole('button', { name: 'Create token' }).click();
  const token = (await section.locator('[data-role=api-token-secret] code').textContent({ timeout: WAIT })).trim();
  assert.match(token, /^pt_[A-Za-z0-9_-]{43}$/);

  const sites = await env.app.api('GET', '/api/v1/sites', { token });
  assert.equal(sites.status, 200);

  // Shown once: after a reload the list has it, used, without the token.
  await page.reload();
  const row = section.locator('[data-api-token]');
  await row.locator(':text("Support bot")').waitFor({ timeout: WAIT });
  await row.locator(':text("Read and write")').waitFor();
  await row.locator(':text("Last used")').waitFor();
  assert.equal(await section.locator('[data-role=api-token-secret]').count(), 0);
  assert.equal(await page.getByText(token).count(), 0);

  await row.getByRole('button', { name: 'Revoke token' }).click();
  await page.locator('dialog button[value=ok]').click();
  await section.locator(':text("No API tokens yet.")').waitFor({ timeout: WAIT });
  const refused = await env.app.api('GET', '/api/v1/sites', { token });
  assert.equal(refused.status, 401);
  await context.close();
});
