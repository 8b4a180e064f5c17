// The dashboard's language: every string the dashboard shows comes from one catalogue per
// language (i18n/en.js, i18n/ko.js) through `t`. The owner picks the language on the
// account page and the account keeps it (`language` on /me), so every device they sign in
// from shows it. This browser keeps the last one it showed (localStorage) only for the
// pages before sign-in, where no account is known yet.

import en from './i18n/en.js';
import ko from './i18n/ko.js';

/** Catalogues by language code; English is the reference every other one mirrors. */
export const CATALOGUES = { en, ko };
/** Each language by its own name, for the picker. */
export const LANGUAGES = { en: 'English', ko: '한국어' };

const STORED = 'pintalk.language';

function initial() {
  const stored = localStorage.getItem(STORED);
  if (stored && CATALOGUES[stored]) return stored;
  const browser = (navigator.language || 'en').slice(0, 2);
  return CATALOGUES[browser] ? browser : 'en';
}

let current = initial();
document.documentElement.lang = current;

/** The language the dashboard shows ('en', 'ko'). */
export function language() {
  return current;
}

function use(lang) {
  current = lang;
  document.documentElement.lang = lang;
  localStorage.setItem(STORED, lang);
}

/**
 * The signed-in owner's own language, as the account keeps it: taken before any signed-in
 * view is drawn, so no reload is needed.
 */
export function useOwnerLanguage(lang) {
  if (CATALOGUES[lang] && lang !== current) use(lang);
}

/** Switches the language; the page reloads so that every view is drawn in it. */
export function setLanguage(lang) {
  if (!CATALOGUES[lang] || lang === current) return;
  use(lang);
  location.reload();
}

/** The string `key` in the current language, `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = CATALOGUES[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in params ? String(params[name]) : all));
}
