// The dashboard's language: every string the dashboard shows comes from one catalogue per
// language (i18n/en.js, i18n/ko.js) through `t`. The owner picks the language on the
// account page; it is kept in this browser (localStorage) until the account stores it.

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

/** Switches the language; the page reloads so that every view is drawn in it. */
export function setLanguage(lang) {
  if (!CATALOGUES[lang] || lang === current) return;
  localStorage.setItem(STORED, lang);
  current = lang;
  location.reload();
}

/** The string `key` in the current language, `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = CATALOGUES[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in params ? String(params[name]) : all));
}
