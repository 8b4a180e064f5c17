// The dashboard's languages: every catalogue has every key with the same placeholders,
// every key the code names exists and every key is used; and an owner who picks Korean
// gets the dashboard in Korean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';
import { dashboardSuite, WAIT } from './dashboard-kit.mjs';

const dashboard = join(repoRoot, 'web/dashboard');
const LANGUAGES = readdirSync(join(dashboard, 'i18n')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));

/** A catalogue module (plain ES module, outside this package's "type": "module"). */
async function catalogue(lang) {
  const source = readFileSync(join(dashboard, 'i18n', `${lang}.js`), 'utf8');
  return (await import(`data:text/javascript,${encodeURIComponent(source)}`)).default;
}

/** Every dashboard source file except the catalogues. */
function sources() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'i18n') walk(path);
      else if (entry.name.endsWith('.js')) files.push(readFileSync(path, 'utf8'));
    }
  };
  walk(dashboard);
  return files.join('\n');
}

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every catalogue has every key, none empty, with the same placeholders', async () => {
  assert.deepEqual(LANGUAGES.sort(), ['en', 'ko']);
  const en = await catalogue('en');
  for (const lang of LANGUAGES) {
    const other = await catalogue(lang);
    assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort(), `${lang}: the same keys as en`);
    for (const [key, text] of Object.entries(other)) {
      assert.ok(text.trim(), `${lang}: ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(en[key]), `${lang}: ${key} has en's placeholders`);
    }
  }
});

test('every key the dashboard asks for exists, and every key is asked for', async () => {
  const en = await catalogue('en');
  const code = sources();
  const asked = new Set([...code.matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1]));
  for (const key of asked) assert.ok(key in en, `t('${key}') has no string`);
  // Keys passed around before `t` (a table of them, say) appear quoted in the code.
  for (const key of Object.keys(en)) assert.ok(code.includes(`'${key}'`), `${key} is never used`);
});

const { env, ownerWithSite, signIn } = dashboardSuite();

test('an owner who picks Korean gets the dashboard in Korean, and keeps it after a reload', async () => {
  const { owner, site } = await ownerWithSite();
  const { context, page } = await signIn(owner, '/account');
  const ko = await catalogue('ko');
  await page.locator('select[name=language]').selectOption('ko');
  await page.locator(`.page-head h1:text("${ko['account.title']}")`).waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  await page.goto(`${env.app.base}/sites/${site.id}/settings`);
  await page.locator(`.page-head h1:text("${ko['settings.heading'].replace('{name}', site.name)}")`).waitFor({ timeout: WAIT });
  assert.equal(await page.locator('.conn-status').textContent(), ko['conn.live']);
  assert.equal(await page.locator('.settings-form button[type=submit]').textContent(), ko['settings.save']);
  await context.close();
});
