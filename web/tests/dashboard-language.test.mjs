// The dashboard's language belongs to the owner's account: chosen once, shown on every
// device they sign in from; this browser's own choice only covers the pages before sign-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { dashboardSuite, WAIT } from './dashboard-kit.mjs';
import en from '../dashboard/i18n/en.js';
import ko from '../dashboard/i18n/ko.js';

const { env, ownerWithSite, signIn } = dashboardSuite();

const heading = (page) => page.locator('.page-head h1');

test('an owner who chooses Korean sees the dashboard in Korean when signing in from a fresh browser', async () => {
  const { owner } = await ownerWithSite();
  const first = await signIn(owner, '/account');
  await heading(first.page).filter({ hasText: en['account.title'] }).waitFor({ timeout: WAIT });
  await first.page.locator('select[name=language]').selectOption('ko');
  // The page reloads in Korean.
  await heading(first.page).filter({ hasText: ko['account.title'] }).waitFor({ timeout: WAIT });
  assert.equal(await first.page.locator('html').getAttribute('lang'), 'ko');
  const stored = await env.app.api('GET', '/api/v1/me', { token: owner.access });
  assert.equal(stored.body.language, 'ko', 'the account keeps the choice');
  await first.context.close();

  // Another device: nothing in its storage, an English sign-in page, a Korean dashboard.
  const fresh = await env.browser.newContext({ locale: 'en-US' });
  const page = await fresh.newPage();
  await page.goto(`${env.app.base}/login`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'before sign-in: the browser\'s language');
  await fresh.close();
  const second = await signIn(owner, '/account');
  await heading(second.page).filter({ hasText: ko['account.title'] }).waitFor({ timeout: WAIT });
  assert.equal(await second.page.locator('html').getAttribute('lang'), 'ko');
  assert.equal(await second.page.locator('select[name=language]').inputValue(), 'ko');

  // Back to English, from the Korean dashboard: the account follows.
  await second.page.locator('select[name=language]').selectOption('en');
  await heading(second.page).filter({ hasText: en['account.title'] }).waitFor({ timeout: WAIT });
  assert.equal((await env.app.api('GET', '/api/v1/me', { token: owner.access })).body.language, 'en');
  await second.context.close();
});
