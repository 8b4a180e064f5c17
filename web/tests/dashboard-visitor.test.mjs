// Who the visitor is: the real widget reports its page (and an SPA's navigations), the
// dashboard's Visitor panel shows it live, as text, with the parsed browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embedPage } from './harness.mjs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

test("the visitor panel shows the widget's page, follows an SPA navigation live, and shows URLs as text", async () => {
  const { owner, site } = await ownerWithSite();
  const visitorContext = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  const widget = await visitorContext.newPage();
  widget.on('pageerror', (e) => console.error('widget page error:', e));
  await widget.goto(env.host.page('/shop', embedPage(env.app.base, site.site_key)));
  await widget.evaluate(() => { document.title = 'Shoes <b>sale</b>'; });
  await widget.locator('[data-pt=launcher]').click();
  await widget.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached', timeout: WAIT });
  await widget.locator('[data-pt=input]').fill('Do you ship to Busan?');
  await widget.keyboard.press('Enter');
  await widget.locator('[data-pt=message]:not([data-pending])').first().waitFor({ timeout: WAIT });

  const rooms = await env.app.api('GET', `/api/v1/sites/${site.id}/rooms`, { token: owner.access });
  const roomId = rooms.body.rooms[0].id;
  const { context, page } = await signIn(owner, `/sites/${site.id}/rooms/${roomId}`);
  const panel = page.locator('.convo [data-role=visitor-context]');
  await panel.locator('[data-role=visitor-page-title]:text("Shoes <b>sale</b>")').waitFor({ timeout: WAIT });
  assert.match(await panel.locator('[data-role=visitor-url]').textContent(), /\/shop$/);
  assert.match(await panel.locator('[data-role=visitor-browser]').textContent(), /Chrom/);
  assert.equal(await panel.locator('[data-role=visitor-locale]').textContent(), 'ko-KR · Asia/Seoul');
  assert.equal(await panel.locator('[data-role=visitor-visits]').textContent(), '1');
  assert.equal(await panel.locator('a').count(), 0, 'a URL is text, never a link');

  // An SPA navigation: the panel follows without a reload.
  await widget.evaluate(() => {
    document.title = 'Checkout';
    history.pushState({}, '', '/checkout?step=2');
  });
  await panel.locator('[data-role=visitor-page-title]:text("Checkout")').waitFor({ timeout: WAIT });
  assert.match(await panel.locator('[data-role=visitor-url]').textContent(), /\/checkout\?step=2$/);
  await widget.evaluate(() => { location.hash = 'pay'; });
  await panel.locator('[data-role=visitor-url]:text-matches("#pay$")').waitFor({ timeout: WAIT });

  // Keyboard: the panel folds and unfolds.
  await panel.locator('summary').focus();
  await page.keyboard.press('Enter');
  assert.equal(await panel.evaluate((el) => el.open), false);
  await visitorContext.close();
  await context.close();
});
