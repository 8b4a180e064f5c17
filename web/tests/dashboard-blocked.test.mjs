// Blocked visitors: the site's settings list them with Unblock, the conversation offers
// Unblock, and an unblocked visitor can chat again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn, NodeVisitor } = dashboardSuite();

/** The widget's call for a returning visitor: their id and secret from the first start. */
function comeBack(site, visitor) {
  return env.app.api('POST', `/api/v1/widget/sessions?site_key=${site.site_key}`, {
    origin: env.host.origin,
    body: { site_key: site.site_key, visitor_id: visitor.session.visitor_id, visitor_secret: visitor.session.visitor_secret },
  });
}

async function blockedVisitor(owner, site, says) {
  const visitor = await NodeVisitor.open(site.site_key);
  await visitor.say(says);
  const blocked = await env.app.api('POST', `/api/v1/rooms/${visitor.room}/block`, { token: owner.access });
  assert.equal(blocked.status, 204);
  visitor.close();
  assert.equal((await comeBack(site, visitor)).body.error, 'visitor_blocked');
  return visitor;
}

test('the site settings list blocked visitors, and Unblock lets one chat again', async () => {
  const { owner, site } = await ownerWithSite();
  const first = await blockedVisitor(owner, site, 'spam one');
  const second = await blockedVisitor(owner, site, 'spam two');
  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`);
  const section = page.locator('[data-section=blocked]');
  const rows = section.locator('.blocked-item');
  await rows.nth(1).waitFor({ timeout: WAIT });
  assert.deepEqual(await rows.evaluateAll((els) => els.map((el) => el.dataset.visitor)),
    [second.session.visitor_id, first.session.visitor_id], 'the most recently blocked first');
  const conversation = rows.first().getByRole('link', { name: 'Conversation' });
  assert.equal(await conversation.getAttribute('href'), `/sites/${site.id}/rooms/${second.room}`);

  await section.locator(`[data-visitor="${first.session.visitor_id}"]`).getByRole('button', { name: 'Unblock' }).click();
  await section.locator(`[data-visitor="${first.session.visitor_id}"]`).waitFor({ state: 'detached', timeout: WAIT });
  assert.equal(await rows.count(), 1);
  const back = await comeBack(site, first);
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.equal(back.body.room.id, first.room, 'back in their own conversation');

  await rows.first().getByRole('button', { name: 'Unblock' }).click();
  await section.locator(':text("No one is blocked on this site.")').waitFor({ timeout: WAIT });
  await context.close();
});

test('a blocked visitor\'s conversation offers Unblock, in its menu and under it', async () => {
  const { owner, site } = await ownerWithSite();
  const visitor = await blockedVisitor(owner, site, 'let me back');
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${visitor.room}`);
  const footer = page.locator('.convo-foot');
  await footer.locator(':text("You blocked this visitor.")').waitFor({ timeout: WAIT });
  await page.locator('[data-action=more]').click();
  await page.getByRole('menuitem', { name: 'Unblock visitor' }).waitFor();
  await page.keyboard.press('Escape');

  await footer.getByRole('button', { name: 'Unblock visitor' }).click();
  await page.locator('[data-role=composer]').waitFor({ timeout: WAIT });
  assert.equal((await comeBack(site, visitor)).status, 200);

  // And blocked again from the menu, the footer says so once more.
  await page.locator('[data-action=more]').click();
  await page.getByRole('menuitem', { name: 'Block visitor' }).click();
  await page.locator('dialog button[value=ok]').click();
  await footer.locator(':text("You blocked this visitor.")').waitFor({ timeout: WAIT });
  assert.equal((await comeBack(site, visitor)).body.error, 'visitor_blocked');
  await context.close();
});
