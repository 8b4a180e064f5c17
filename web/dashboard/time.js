// Times as people read them: "just now", "5m", "Yesterday"; kept current by one ticker.

import { language, t } from './i18n.js';
import { h } from './dom.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function startOfDay(ts) {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A short relative time for lists. */
export function relative(ts, now = Date.now()) {
  const diff = now - ts;
  if (diff < 45_000) return t('time.justNow');
  if (diff < HOUR) return t('time.minutes', { n: Math.max(1, Math.round(diff / MINUTE)) });
  const today = startOfDay(now);
  if (ts >= today) return t('time.hours', { n: Math.floor(diff / HOUR) });
  if (ts >= today - DAY) return t('time.yesterday');
  if (ts >= today - 6 * DAY) return new Date(ts).toLocaleDateString(language(), { weekday: 'short' });
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return new Date(ts).toLocaleDateString(language(), sameYear
    ? { month: 'short', day: 'numeric' }
    : { year: 'numeric', month: 'short', day: 'numeric' });
}

/** "14:05", in the viewer's locale. */
export function clock(ts) {
  return new Date(ts).toLocaleTimeString(language(), { hour: '2-digit', minute: '2-digit' });
}

/** "Today", "Yesterday" or a full date, for separators between days. */
export function dayLabel(ts, now = Date.now()) {
  const day = startOfDay(ts);
  const today = startOfDay(now);
  if (day === today) return t('time.today');
  if (day === today - DAY) return t('time.yesterday');
  return new Date(ts).toLocaleDateString(language(), { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

export function dayKey(ts) {
  return startOfDay(ts);
}

/** A <time> element showing a relative time that the ticker keeps fresh. */
export function relativeTime(ts, className = 'rel-time') {
  return h('time', {
    class: className,
    datetime: new Date(ts).toISOString(),
    title: new Date(ts).toLocaleString(),
    dataset: { rel: String(ts) },
    text: relative(ts),
  });
}

setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll('time[data-rel]')) {
    el.textContent = relative(Number(el.dataset.rel), now);
  }
}, 30_000);
