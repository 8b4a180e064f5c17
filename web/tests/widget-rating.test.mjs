// CSAT: the site closes a conversation, the visitor's widget asks for a rating (stars from
// the keyboard and a comment), the owner's open conversation shows it live, and the site's
// settings page averages it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embedPage } from './harness.mjs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

test('a closed conversation is rated from the widget with the keyboard, and the owner sees it live and averaged', async () => {
  const { owner, site } = await ownerWithSite();
  const visitorContext = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const widget = await visitorContext.newPage();
  widget.on('pageerror', (e) => console.error('widget page error:', e));
  await widget.goto(env.host.page('/rating', embedPage(env.app.base, site.site_key)));
  await widget.locator('[data-pt=launcher]').click();
  await widget.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached', timeout: WAIT });
  await widget.locator('[data-pt=input]').fill('Where is my parcel?');
  await widget.keyboard.press('Enter');
  await widget.locator('[data-pt=message]:not([data-pending])').first().waitFor({ timeout: WAIT });
  const rating = widget.locator('[data-pt=rating]');
  assert.equal(await rating.isVisible(), false, 'an open conversation is not rated');

  const rooms = await env.app.api('GET', `/api/v1/sites/${site.id}/rooms`, { token: owner.access });
  const roomId = rooms.body.rooms[0].id;
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${roomId}`);
  await page.locator('.convo [data-action=close]').click();

  await page.locator('.convo .convo-title:has-text("Closed")').waitFor({ timeout: WAIT });
  // The close reaches the widget: five stars, a comment, send — all from the keyboard.
  await rating.waitFor({ timeout: WAIT });
  assert.equal(await widget.locator('#rq').textContent(), 'How was this conversation?');
  const send = widget.locator('[data-pt=rating] [type=submit]');
  assert.equal(await send.isDisabled(), true, 'nothing to send before a score');
  await widget.locator('[data-pt=stars] button[data-score="4"]').focus();
  await widget.keyboard.press('Enter');
  assert.equal(await widget.locator('[data-pt=stars] button[data-score="4"]').getAttribute('aria-pressed'), 'true');
  await widget.keyboard.press('Tab');
  await widget.keyboard.press('Tab');
  await widget.keyboard.type('Fast <b>help</b>');
  await widget.keyboard.press('Tab');
  await widget.keyboard.press('Enter');
  await widget.locator('[data-pt=rated]:has-text("Thank you")').waitFor({ timeout: WAIT });
  assert.equal(await rating.isVisible(), false);

  // The owner's conversation shows it live, the comment as text.
  const shown = page.locator('.convo [data-role=rating][data-score="4"]');
  await shown.waitFor({ timeout: WAIT });
  assert.equal(await page.locator('.convo [data-role=rating-comment]').textContent(), 'Fast <b>help</b>');
  const stored = await env.app.api('GET', `/api/v1/rooms/${roomId}`, { token: owner.access });
  assert.equal(stored.body.rating.score, 4);

  // A reload of the visitor's page does not ask again.
  await widget.reload();
  await widget.locator('[data-pt=launcher]').click();
  await widget.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached', timeout: WAIT });
  assert.equal(await rating.isVisible(), false, 'a rated conversation is not asked again');

  // The site's settings page averages it.
  await page.goto(`${env.app.base}/sites/${site.id}/settings`);
  await page.locator('[data-role=ratings-site]:has-text("4.00")').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('[data-role=ratings-member]').count(), 1);
  await visitorContext.close();
  await context.close();
});
