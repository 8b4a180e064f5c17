// The away state: with nobody online (or outside the site's hours) the widget shows the
// away message, the reply time the site promises and the email field — required or
// optional per site — and the email the visitor leaves is stored on them. And the owner
// sets business hours, the email field and the reply time in the site's settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embedPage } from './harness.mjs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

let pages = 0;
/** A visitor on the customer's page, in a browser context of its own, chat open. */
async function openChat(site) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('widget page error:', e));
  pages += 1;
  await page.goto(env.host.page(`/away-${pages}`, embedPage(env.app.base, site.site_key)));
  await page.locator('[data-pt=launcher]').click();
  await page.locator('[data-pt=connection][data-state=online]').waitFor({ state: 'attached', timeout: WAIT });
  return { context, page };
}

/** The visitor of the site's only conversation, as the owner sees them. */
async function visitorOf(owner, site) {
  const rooms = await env.app.api('GET', `/api/v1/sites/${site.id}/rooms`, { token: owner.access });
  const room = await env.app.api('GET', `/api/v1/rooms/${rooms.body.rooms[0].id}`, { token: owner.access });
  return room.body.visitor;
}

test('nobody online: the widget is away, asks for the required email first, and stores it on the visitor', async () => {
  const { owner, site } = await ownerWithSite({ away_message: 'Back at nine.', email_field: 'required', reply_time: 'hours' });
  const { context, page } = await openChat(site);
  const away = page.locator('[data-pt=away]');
  await away.waitFor({ timeout: WAIT });
  assert.equal(await page.locator('[data-pt=away-message]').textContent(), 'Back at nine.');
  assert.equal(await page.locator('[data-pt=reply-time]').textContent(), 'We usually reply in a few hours.');
  assert.equal(await page.locator('[data-pt=status] span').textContent(), 'Away');
  const email = page.locator('[data-pt=email]');
  assert.equal(await email.locator('label').textContent(), 'Leave your email so we can reply');
  assert.equal(await page.locator('[data-pt=input]').isDisabled(), true, 'no writing before the email');

  await email.locator('input').fill('not-an-address');
  await email.locator('button').click();
  await page.locator('[data-pt=email-note]:text("Please enter a valid email address.")').waitFor({ timeout: WAIT });
  assert.equal(await email.locator('input').getAttribute('aria-invalid'), 'true');

  await email.locator('input').fill('Bo@Example.com');
  await email.locator('button').click();
  await page.locator('[data-pt=email-saved]:has-text("We will reply to bo@example.com.")').waitFor({ timeout: WAIT });
  assert.equal(await email.isHidden(), true);
  assert.equal(await page.locator('[data-pt=input]').isDisabled(), false, 'now the visitor writes');
  await page.locator('[data-pt=input]').fill('Is the blue one in stock?');
  await page.locator('[data-pt=input]').press('Enter');
  await page.locator('[data-pt=message][data-seq]').waitFor({ timeout: WAIT });
  assert.equal((await visitorOf(owner, site)).email, 'bo@example.com');

  // They change it: the form comes back with the address, and the new one is stored.
  await page.locator('[data-pt=email-saved] button').click();
  assert.equal(await email.locator('input').inputValue(), 'bo@example.com');
  await email.locator('input').fill('bo@busan.example');
  await email.locator('button').click();
  await page.locator('[data-pt=email-saved]:has-text("bo@busan.example")').waitFor({ timeout: WAIT });
  assert.equal((await visitorOf(owner, site)).email, 'bo@busan.example');
  await context.close();
});

test('an optional email in Korean: the visitor may write without it, and the owner online ends the away state', async () => {
  const { owner, site } = await ownerWithSite({ language: 'ko', email_field: 'optional', reply_time: 'day' });
  const { context, page } = await openChat(site);
  await page.locator('[data-pt=away]').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('[data-pt=reply-time]').textContent(), '보통 하루 안에 답변드립니다.');
  assert.equal(await page.locator('[data-pt=email] label').textContent(), '이메일로 답변 받기');
  assert.equal(await page.locator('[data-pt=input]').isDisabled(), false, 'optional: writing is open');

  const dashboard = await signIn(owner, `/sites/${site.id}`);
  await page.locator('[data-pt=away]').waitFor({ state: 'hidden', timeout: WAIT });
  assert.equal(await page.locator('[data-pt=email]').isHidden(), true);
  assert.equal(await page.locator('[data-pt=status] span').textContent(), '온라인');
  await dashboard.context.close();
  await context.close();
});

test('outside the business hours the widget is away even with the owner online', async () => {
  // Hours with no opening at all: always outside them.
  const hours = { time_zone: 'Pacific/Kiritimati', weekly: [] };
  const { owner, site } = await ownerWithSite({ business_hours: hours, email_field: 'off' });
  const dashboard = await signIn(owner, `/sites/${site.id}`);
  const { context, page } = await openChat(site);
  await page.locator('[data-pt=away]').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('[data-pt=email]').isHidden(), true, 'email_field off');
  assert.equal(await page.locator('[data-pt=email-saved]').isHidden(), true);
  await dashboard.context.close();
  await context.close();
});

test('the owner sets business hours, the email field and the reply time in the site settings', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, `/sites/${site.id}/settings`);
  const section = page.locator('[data-pt=availability]');
  await section.waitFor();
  assert.equal(await section.locator('[data-pt=hours]').isHidden(), true, 'off by default');
  await section.locator('.switch').click();
  await section.locator('[data-pt=hours]').waitFor();
  await section.locator('input[name=time_zone]').fill('Asia/Seoul');
  await section.locator('input[name=closes_fri]').fill('17:00');
  await section.locator('select[name=email_field]').selectOption('required');
  await section.locator('select[name=reply_time]').selectOption('day');
  await page.locator('button[type=submit]:text("Save changes")').click();
  await page.locator('.save-state:text("All changes saved")').waitFor({ timeout: WAIT });

  const saved = await env.app.api('GET', `/api/v1/sites/${site.id}`, { token: owner.access });
  const widget = saved.body.widget;
  assert.equal(widget.business_hours.time_zone, 'Asia/Seoul');
  assert.deepEqual(widget.business_hours.weekly.map((s) => s.day), ['mon', 'tue', 'wed', 'thu', 'fri'], 'weekdays by default');
  assert.deepEqual(widget.business_hours.weekly.find((s) => s.day === 'fri'), { day: 'fri', open: '09:00', close: '17:00' });
  assert.equal(widget.email_field, 'required');
  assert.equal(widget.reply_time, 'day');

  // A zone that does not exist: the server's error shows, nothing is saved.
  await section.locator('input[name=time_zone]').fill('Mars/Olympus');
  await page.locator('button[type=submit]:text("Save changes")').click();
  await page.locator('.form-error:has-text("time_zone")').waitFor({ timeout: WAIT });
  await context.close();
});
