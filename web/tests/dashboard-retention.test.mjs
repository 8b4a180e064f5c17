// Retention and a visitor's data in the dashboard: the site's retention on its settings
// page, a visitor's export and erasure from their conversation (their socket closes), and
// the workspace export on the account page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor } = dashboardSuite();

/** Waits until the room's messages are stored in SQL, which is what an export reads. */
async function stored(owner, room, count) {
  for (let i = 0; i < 100; i += 1) {
    const history = await env.app.api('GET', `/api/v1/rooms/${room}/messages`, { token: owner.access });
    if ((history.body?.messages ?? []).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the messages of ${room} were not stored`);
}

test('the site settings save and clear the retention', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`);
  const form = page.locator('[data-form=retention]');
  const days = form.locator('[data-role=retention-days]');
  await days.waitFor({ timeout: WAIT });
  await days.fill('30');
  await form.locator('[data-action=save-retention]').click();
  await page.locator(':text("Retention saved")').waitFor({ timeout: WAIT });
  const saved = await env.app.api('GET', `/api/v1/sites/${site.id}/retention`, { token: owner.access });
  assert.equal(saved.body.retention_days, 30);

  await page.reload();
  await days.waitFor({ timeout: WAIT });
  await page.waitForFunction(() => document.querySelector('[data-role=retention-days]').value === '30');
  await days.fill('');
  await form.locator('[data-action=save-retention]').click();
  await page.locator(':text("Retention saved")').first().waitFor({ timeout: WAIT });
  const cleared = await env.app.api('GET', `/api/v1/sites/${site.id}/retention`, { token: owner.access });
  assert.equal(cleared.body.retention_days, null);
  await context.close();
});

test('a visitor is exported and then erased from their conversation, and their socket closes', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('My address is 1 Main Street');
  await stored(owner, visitor.room, 1);
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`);
  await page.locator('summary[data-action=more]').click({ timeout: WAIT });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('button[data-action=export-visitor]').click(),
  ]);
  assert.equal(download.suggestedFilename(), `pintalk-visitor-${visitor.session.visitor_id}.json`);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.conversations[0].messages[0].body, 'My address is 1 Main Street');

  await page.locator('summary[data-action=more]').click();
  await page.locator('button[data-action=erase-visitor]').click();
  await page.locator('dialog button[value=ok]').click();
  await page.locator(':text("Visitor data erased")').waitFor({ timeout: WAIT });
  assert.equal(await visitor.closed, 4003, 'the erased visitor\'s socket is closed');
  const gone = await env.app.api('GET', `/api/v1/rooms/${visitor.room}`, { token: owner.access });
  assert.equal(gone.status, 404);
  await context.close();
});

test('the account page exports the whole workspace', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say('workspace words');
  await stored(owner, visitor.room, 1);
  const { context, page } = await signIn(owner, '/account');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('button[data-action=export-workspace]').click({ timeout: WAIT }),
  ]);
  assert.match(download.suggestedFilename(), /^pintalk-workspace-\d{4}-\d{2}-\d{2}\.json$/);
  const workspace = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(workspace.sites[0].id, site.id);
  const words = workspace.sites[0].conversations.flatMap((c) => c.messages.map((m) => m.body));
  assert.ok(words.includes('workspace words'), JSON.stringify(words));
  visitor.close();
  await context.close();
});
