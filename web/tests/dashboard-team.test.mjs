// The team in the dashboard: an owner invites an agent from the account page, the agent
// joins from the mailed link and sees the owner's site, and the owner removes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

test('an owner invites an agent by mail, the agent joins from the link, and is removed', async () => {
  const { owner, site } = await ownerWithSite();
  const { page } = await signIn(owner, '/account');
  const team = page.locator('[data-section=team]');
  await team.locator('[data-member]').first().waitFor({ timeout: WAIT });

  // Invited from the form: listed as pending, and a mail with the link goes out.
  await team.locator('input[name=invite_email]').fill('agent1@example.com');
  await team.locator('select[name=invite_role]').selectOption('agent');
  await team.locator('[data-role=invite] button[type=submit]').click();
  await team.locator('[data-invitation]:has-text("agent1@example.com")').waitFor({ timeout: WAIT });
  const token = await env.app.mailedToken('agent1@example.com', 'invited to a team');

  // The invitee signs up elsewhere, opens the link signed in, and joins.
  const agent = await env.app.owner('agent1@example.com');
  const joined = await signIn(agent);
  await joined.page.goto(`${env.app.base}/accept-invitation#token=${token}`);
  const join = joined.page.locator('.auth-card button:has-text("Join")');
  await join.waitFor({ timeout: WAIT });
  assert.match(await joined.page.locator('.auth-card h1').textContent(), /Join/);
  await join.click();
  await joined.page.waitForURL(`${env.app.base}/`, { timeout: WAIT });
  const sites = await env.app.api('GET', '/api/v1/sites', { token: agent.access });
  assert.deepEqual(sites.body.map((s) => s.id), [site.id]);

  // The owner sees the agent in the team and removes them: their access ends.
  await page.reload();
  const member = team.locator('[data-member]:has-text("agent1@example.com")');
  await member.waitFor({ timeout: WAIT });
  assert.equal(await member.locator('select[name=member_role]').inputValue(), 'agent');
  await member.locator('[data-action=remove]').click();
  await page.locator('dialog button[value=ok]').click();
  await member.waitFor({ state: 'detached', timeout: WAIT });
  const after = await env.app.api('GET', '/api/v1/sites', { token: agent.access });
  assert.deepEqual(after.body, []);
});
