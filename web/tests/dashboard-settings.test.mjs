// A site's settings page as an owner first uses it: origins checked on entry with the
// server's rule, the heading following a rename, and unsaved changes never lost silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const { env, ownerWithSite, signIn } = dashboardSuite();

async function settingsPage() {
  const { owner, site } = await ownerWithSite();
  const session = await signIn(owner, `/sites/${site.id}/settings`);
  await session.page.locator('.settings-form').waitFor();
  return { owner, site, ...session };
}

test('an origin is checked as it is entered, with the server\'s rule, and the error says what is wrong', async () => {
  const { owner, site, context, page } = await settingsPage();
  const box = page.locator('input[name=origin]');
  const error = page.locator('.origins .field-error');
  const refused = {
    'https://exa mple.com': /no spaces/,
    'https://shop.example.com/cart': /no path/,
    'https://shop.example.com?x=1': /no path, query or fragment/,
    'ftp://shop.example.com': /http:\/\/ or https:\/\//,
    'https://ann@shop.example.com': /user name/,
    'https://Shop.example.com': /exactly as https:\/\/shop\.example\.com/,
    'https://shop.example.com:443': /exactly as https:\/\/shop\.example\.com\./,
    'shop.example.com': /not a web address/,
  };
  for (const [typed, why] of Object.entries(refused)) {
    await box.fill(typed);
    await box.press('Enter');
    await error.waitFor();
    assert.match(await error.textContent(), why, typed);
    assert.equal(await page.locator('.chip').count(), 1, `${typed} became no chip`);
  }
  await box.fill('http://localhost:3000');
  await page.locator('[data-action=add-origin]').click();
  await page.locator('.chip[data-origin="http://localhost:3000"]').waitFor();
  assert.equal(await error.isVisible(), false);

  // Nothing invalid reached the draft, so saving the rest works.
  await page.locator('input[name=title]').fill('Ask us');
  await page.locator('button[type=submit]:text("Save changes")').click();
  await page.locator('.save-state:text("All changes saved")').waitFor({ timeout: WAIT });
  const stored = await env.app.api('GET', `/api/v1/sites/${site.id}`, { token: owner.access });
  assert.deepEqual(stored.body.allowed_origins, [env.host.origin, 'http://localhost:3000']);
  assert.equal(stored.body.widget.title, 'Ask us');
  await context.close();
});

test('the heading follows a rename as soon as it is saved', async () => {
  const { context, page } = await settingsPage();
  await page.locator('input[name=name]').fill('Corner Shop');
  await page.locator('button[type=submit]:text("Save changes")').click();
  await page.locator('.save-state:text("All changes saved")').waitFor({ timeout: WAIT });
  assert.equal(await page.locator('.page-head h1').textContent(), 'Corner Shop settings');
  await context.close();
});

test('unsaved settings are not lost without a word: leaving in the app asks, and so does the browser', async () => {
  const { site, context, page } = await settingsPage();
  const dialog = page.locator('dialog.dialog');
  const unload = () => page.evaluate(() => {
    const event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  });
  assert.equal(await unload(), false, 'nothing to lose yet');
  // In the app and back, so the browser's back button stays in this document.
  await page.getByRole('link', { name: 'Open inbox' }).click();
  await page.locator('.inbox').waitFor({ timeout: WAIT });
  await page.locator(`.site-sub a[href="/sites/${site.id}/settings"]`).click();
  await page.locator('.settings-form').waitFor();

  await page.locator('input[name=title]').fill('Changed');
  assert.equal(await unload(), true, 'the browser asks before closing or reloading');

  // A link in the app: the owner is asked, and staying keeps the draft.
  await page.getByRole('link', { name: 'Open inbox' }).click();
  await dialog.locator('h2:text("Leave without saving?")').waitFor();
  await dialog.locator('button[value=cancel]').click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(new URL(page.url()).pathname, `/sites/${site.id}/settings`);
  assert.equal(await page.locator('input[name=title]').inputValue(), 'Changed');

  // The browser's back button: asked too.
  await page.goBack();
  await dialog.locator('h2:text("Leave without saving?")').waitFor();
  await dialog.locator('button[value=cancel]').click();
  assert.equal(await page.locator('input[name=title]').inputValue(), 'Changed');
  assert.equal(new URL(page.url()).pathname, `/sites/${site.id}/settings`);

  // Leaving on purpose leaves.
  await page.getByRole('link', { name: 'Open inbox' }).click();
  await dialog.locator('button[value=ok]').click();
  await page.locator('.inbox').waitFor({ timeout: WAIT });
  assert.equal(new URL(page.url()).pathname, `/sites/${site.id}`);
  assert.equal(await unload(), false, 'nothing unsaved on the inbox');
  await context.close();
});

test('the owner chooses how unread conversations reach them by mail, and the choice is kept', async () => {
  const { owner } = await ownerWithSite();
  const { context, page } = await signIn(owner, '/account');
  const mail = page.locator('select[name=email_notifications]');
  await page.locator('select[name=email_notifications]:enabled').waitFor({ timeout: WAIT });
  assert.equal(await mail.inputValue(), 'each', 'a mail per conversation by default');
  await mail.selectOption('digest');
  await page.locator('.toast', { hasText: 'Email notifications saved' }).waitFor({ timeout: WAIT });
  await page.reload();
  await page.locator('select[name=email_notifications]:enabled').waitFor({ timeout: WAIT });
  assert.equal(await mail.inputValue(), 'digest');
  const stored = await env.app.api('GET', '/api/v1/me/notifications', { token: owner.access });
  assert.equal(stored.body.email, 'digest');
  await context.close();
});
