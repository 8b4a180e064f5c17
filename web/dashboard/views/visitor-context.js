// The "Visitor" panel of a conversation: where the visitor is and what they use, as their
// widget last reported (docs/api.md, Who the visitor is). Every value goes in as text:
// a page URL is shown, never linked.

import { t } from '../i18n.js';
import { h, mount } from '../dom.js';
import { relativeTime } from '../time.js';

/** The panel for `context` (a room view's `visitor.context`); `set` redraws it. */
export function visitorPanel(context) {
  const body = h('dl', { class: 'visitor-facts' });
  const el = h('details', { class: 'visitor-panel', open: true, dataset: { role: 'visitor-context' } },
    h('summary', { text: t('visitor.title') }), body);

  function row(label, value, role) {
    return value ? [h('dt', { text: label }), h('dd', { dataset: { role }, text: value })] : [];
  }

  function set(next) {
    el.hidden = !next;
    if (!next) return;
    const browser = [next.browser, next.browser_version].filter(Boolean).join(' ');
    const system = [browser, next.os, next.device].filter(Boolean).join(' · ');
    const place = [next.language, next.time_zone].filter(Boolean).join(' · ');
    mount(body,
      row(t('visitor.page'), next.title || next.url, 'visitor-page-title'),
      h('dd', { class: 'visitor-url muted small', dataset: { role: 'visitor-url' }, text: next.url }),
      row(t('visitor.referrer'), next.referrer, 'visitor-referrer'),
      row(t('visitor.browser'), system, 'visitor-browser'),
      row(t('visitor.locale'), place, 'visitor-locale'),
      row(t('visitor.screen'), next.screen && `${next.screen.width} × ${next.screen.height}`, 'visitor-screen'),
      row(t('visitor.visits'), String(next.visits), 'visitor-visits'),
      h('dt', { text: t('visitor.updated') }), h('dd', {}, relativeTime(Date.parse(next.updated_at))));
  }

  set(context);
  return { el, set };
}
