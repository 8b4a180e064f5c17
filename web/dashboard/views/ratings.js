// Ratings (CSAT): the visitor's rating under a closed conversation's head, and the site's
// averages — overall and per member the conversation was assigned to — on its settings page.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, mount } from '../dom.js';

/** "★★★★☆" for a score of 4. */
const stars = (score) => '★'.repeat(score) + '☆'.repeat(5 - score);

/** The line a conversation shows for its rating; nothing when it has none. */
export function ratingLine(rating) {
  if (!rating) return null;
  return h('div', { class: 'convo-rating', dataset: { role: 'rating', score: String(rating.score) } },
    h('span', { class: 'rating-stars', 'aria-label': t('ratings.score', { n: rating.score }), text: stars(rating.score) }),
    h('span', { class: 'muted small', text: t('ratings.byVisitor') }),
    rating.comment && h('q', { class: 'rating-comment', dataset: { role: 'rating-comment' }, text: rating.comment }));
}

/** The site's CSAT, on its settings page. */
export function ratingsSection(app, site) {
  const body = h('div', { class: 'ratings-body' }, h('p', { class: 'muted small', text: '…' }));
  const el = h('section', { class: 'card section', dataset: { section: 'ratings' } },
    h('h2', { text: t('ratings.title') }),
    h('p', { class: 'muted small', text: t('ratings.text') }),
    body);
  const average = (a) => (a.average == null ? '—' : a.average.toFixed(2));
  const who = (assignee) => (assignee === app.me.id ? t('ratings.you')
    : assignee ? t('ratings.member', { id: assignee.slice(-6) }) : t('ratings.unassigned'));
  api('GET', `/sites/${site.id}/ratings`).then((summary) => {
    if (!summary.site.count) {
      mount(body, h('p', { class: 'muted', dataset: { role: 'ratings-none' }, text: t('ratings.none') }));
      return;
    }
    mount(body,
      h('p', { class: 'ratings-site', dataset: { role: 'ratings-site' } },
        h('strong', { text: average(summary.site) }), ' ',
        h('span', { class: 'muted', text: t('ratings.count', { n: summary.site.count }) })),
      h('table', { class: 'table ratings-table' },
        h('thead', {}, h('tr', {}, h('th', { text: t('ratings.assignee') }), h('th', { text: t('ratings.average') }), h('th', { text: t('ratings.ratings') }))),
        h('tbody', {}, summary.by_assignee.map((m) => h('tr', { dataset: { role: 'ratings-member', assignee: m.assignee ?? '' } },
          h('td', { text: who(m.assignee) }), h('td', { text: average(m) }), h('td', { text: String(m.count) }))))));
  }).catch((err) => mount(body, h('p', { class: 'form-error', text: err.message })));
  return { el };
}
