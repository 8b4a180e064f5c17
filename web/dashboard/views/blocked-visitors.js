// A site's blocked visitors, on its settings page: who, since when, a link to their
// conversation, and Unblock. Paged as the server pages it.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { busy, toast, visitorName } from '../ui.js';
import { relativeTime } from '../time.js';

export function blockedVisitors(site) {
  const list = h('ul', { class: 'blocked-list', dataset: { role: 'blocked-list' } });
  const empty = h('p', { class: 'muted small', text: t('blocked.none'), hidden: true });
  const more = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', text: t('blocked.more'), hidden: true });
  let cursor = null;

  function row(v) {
    const unblock = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: 'unblock' } },
      icon('undo', 14), h('span', { text: t('blocked.unblock') }));
    const item = h('li', { class: 'blocked-item', dataset: { visitor: v.id } },
      h('div', { class: 'blocked-who' },
        h('strong', { text: visitorName(v) }),
        h('span', { class: 'muted small' }, t('blocked.since'), ' ', relativeTime(Date.parse(v.blocked_at)))),
      // Unblocking goes through their conversation; one deleted since leaves only the name.
      v.room_id && h('a', { class: 'small-link', href: `/sites/${site.id}/rooms/${v.room_id}`, text: t('blocked.conversation') }),
      v.room_id && unblock);
    unblock.addEventListener('click', () => busy(unblock, async () => {
      await api('DELETE', `/rooms/${v.room_id}/block`);
      item.remove();
      empty.hidden = list.children.length > 0;
      toast(t('blocked.unblocked', { name: visitorName(v) }), 'success');
    }));
    return item;
  }

  async function load() {
    const query = new URLSearchParams({ limit: '20' });
    if (cursor) query.set('cursor', cursor);
    const page = await api('GET', `/sites/${site.id}/blocked?${query}`);
    list.append(...page.visitors.map(row));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    empty.hidden = list.children.length > 0;
  }

  more.addEventListener('click', () => busy(more, load));
  const el = h('section', { class: 'card section', dataset: { section: 'blocked' } },
    h('h2', { text: t('blocked.title') }),
    h('p', { class: 'muted small', text: t('blocked.text') }),
    list, empty, more);
  load().catch((err) => mount(list, h('li', { class: 'form-error', role: 'alert', text: err.message })));
  return { el };
}
