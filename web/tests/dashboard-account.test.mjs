// An owner's account in their first hour: a used reset link that says so and offers a
// new one, the not-live notice with its resend, changing the account email, and a sign
// out that is always in reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

/** The mails so far written to `to` whose text contains `subject` (the mail sink). */
function mails(to, subject) {
  const dir = join(env.app.dataDir, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .filter((text) => text.includes(`To: ${to}\n`) && text.includes(subject));
}

/** Waits until `to` has `n` mails about `subject`; returns the token of the n-th. */
async function nthMailToken(to, subject, n) {
  for (let i = 0; i < 200; i++) {
    const found = mails(to, subject);
    if (found.length >= n) return found[n - 1].match(/token=([A-Za-z0-9_-]+)/)[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail #${n} to ${to} about ${subject}`);
}

test('a used reset link says so at once and sends a new one, which opens the form', async () => {
  const { owner } = await ownerWithSite();
  await env.app.api('POST', '/api/v1/auth/password/forgot', { body: { email: owner.email } });
  const used = await nthMailToken(owner.email, 'Reset your PinTalk password', 1);
  const reset = await env.app.api('POST', '/api/v1/auth/password/reset', { body: { token: used, password: 'the new password' } });
  assert.equal(reset.status, 204);

  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.app.base}/reset-password#token=${used}`);
  await page.locator('h1:text("This reset link no longer works")').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('input[name=password]').count(), 0, 'no form for a dead link');
  await page.locator('input[name=email]').fill(owner.email);
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await page.locator('.notice-success:has-text("a link to reset its password is on its way")').waitFor();

  const fresh = await nthMailToken(owner.email, 'Reset your PinTalk password', 2);
  assert.notEqual(fresh, used);
  await page.goto(`${env.app.base}/reset-password#token=${fresh}`);
  await page.locator('input[name=password]').waitFor({ timeout: WAIT });
  await page.locator('input[name=password]').fill('yet another password');
  await page.locator('input[name=confirm]').fill('yet another password');
  await page.locator('button[type=submit]').click();
  await page.locator('.notice-success:has-text("Your password is changed")').waitFor();
  await context.close();
});

test('an unverified owner is told on the site page and in the preview, and can resend the link', async () => {
  const email = 'unverified@example.com';
  const password = 'correct horse battery';
  const signup = await env.app.api('POST', '/api/v1/auth/signup', { body: { email, password, name: 'Una' } });
  assert.equal(signup.status, 201);
  await nthMailToken(email, 'Verify your email', 1);
  const login = await env.app.api('POST', '/api/v1/auth/login', { body: { email, password } });
  const site = await env.app.site({ access: login.body.access_token }, [env.host.origin]);

  const { context, page } = await signIn({ email, password }, `/sites/${site.id}/settings`);
  const notice = page.locator('[data-notice=not-live]');
  await notice.waitFor({ timeout: WAIT });
  assert.match(await notice.textContent(), /Your widget is not live until you verify your email/);
  assert.equal(await page.locator('[data-pt=not-live]').isVisible(), true, 'the preview says it too');

  await notice.getByRole('button', { name: 'Resend the link' }).click();
  await notice.locator(`:text("Sent. Open the link we mailed to ${email}")`).waitFor();
  const token = await nthMailToken(email, 'Verify your email', 2);

  await page.goto(`${env.app.base}/verify-email#token=${token}`);
  await page.locator('[data-verified=true]').waitFor({ timeout: WAIT });
  await page.goto(`${env.app.base}/sites/${site.id}/settings`);
  await page.locator('.settings-form').waitFor({ timeout: WAIT });
  assert.equal(await notice.isHidden(), true, 'verified: no notice');
  assert.equal(await page.locator('[data-pt=not-live]').isHidden(), true);
  const config = await env.app.api('GET', `/api/v1/widget/config?site_key=${site.site_key}`, { origin: env.host.origin });
  assert.equal(config.status, 200, 'the widget is live');
  await context.close();
});

test('the account email is changed through a link mailed to the new address', async () => {
  const { owner } = await ownerWithSite();
  const { context, page } = await signIn(owner, '/account');
  const form = page.locator('form[data-form=email]');
  await form.locator('input[name=new_email]').fill('Moved@Example.com');
  await form.locator('input[name=email_password]').fill(owner.password);
  await form.getByRole('button', { name: 'Change email' }).click();
  const pending = page.locator('[data-role=pending-email]');
  await pending.locator(':text("moved@example.com")').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('[data-role=account-email]').textContent(), owner.email, 'unchanged until confirmed');

  const token = await nthMailToken('moved@example.com', 'Confirm your new email', 1);
  await page.goto(`${env.app.base}/change-email#token=${token}`);
  await page.locator('[data-changed=true]').waitFor({ timeout: WAIT });
  await page.getByRole('link', { name: 'Go to your account' }).click();
  await page.locator('[data-role=account-email]:text("moved@example.com")').waitFor({ timeout: WAIT });
  assert.equal(await pending.isHidden(), true);
  assert.equal(await page.locator('.me-text small').textContent(), 'moved@example.com');
  assert.equal(mails(owner.email, 'Your PinTalk email was changed').length, 1, 'the old address is told');

  // A wrong password is refused on the form, with the server's words.
  await form.locator('input[name=new_email]').fill('again@example.com');
  await form.locator('input[name=email_password]').fill('not my password');
  await form.getByRole('button', { name: 'Change email' }).click();
  await form.locator('.form-error:has-text("the current password is wrong")').waitFor();
  await context.close();
});

for (const [layout, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`sign out is always in view on the ${layout} layout and ends the session`, async () => {
    const { owner, site } = await ownerWithSite();
    const { context, page } = await signIn(owner, `/sites/${site.id}`, { viewport });
    const signOut = page.getByRole('button', { name: 'Sign out' });
    for (const path of [`/sites/${site.id}`, `/sites/${site.id}/settings`]) {
      await page.goto(env.app.base + path);
      await signOut.waitFor({ timeout: WAIT });
      const box = await signOut.boundingBox();
      assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
        `${path}: on screen without opening a menu (${JSON.stringify(box)})`);
    }
    const access = await page.evaluate(() => JSON.parse(localStorage.getItem('pintalk.session')).access);
    await signOut.click();
    await page.waitForURL(`${env.app.base}/login`);
    const me = await env.app.api('GET', '/api/v1/me', { token: access });
    assert.equal(me.status, 401, 'the session ended on the server');
    await context.close();
  });
}
