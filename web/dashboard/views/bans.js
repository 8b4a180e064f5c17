// A site's IP bans and its own abuse limits, on its settings page: ban an address or a
// network (with a note and an optional expiry), lift a ban, and set the site's sessions
// and new conversations per IP an hour and messages per visitor a minute (empty: the
// server's default, shown as the placeholder).

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { busy, formError, toast } from '../ui.js';
import { relativeTime } from '../time.js';

/** The expiries offered for a new ban, in seconds (0: until lifted). */
const EXPIRIES = [
  ['bans.expiry.never', 0],
  ['bans.expiry.hour', 3600],
  ['bans.expiry.day', 86400],
  ['bans.expiry.week', 7 * 86400],
  ['bans.expiry.month', 30 * 86400],
];

/** The site's limits: field name, label key, and the server's bounds. */
const LIMITS = [
  ['sessions_per_ip', 'limits.sessions', 100000],
  ['conversations_per_ip', 'limits.conversations', 100000],
  ['messages_per_minute', 'limits.messages', 1000],
];

function bansList(site) {
  const list = h('ul', { class: 'blocked-list', dataset: { role: 'ban-list' } });
  const empty = h('p', { class: 'muted small', text: t('bans.none'), hidden: true });

  function row(ban) {
    const lift = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: 'lift' } },
      icon('undo', 14), h('span', { text: t('bans.lift') }));
    const until = ban.expires_at
      ? t('bans.until', { when: new Date(ban.expires_at).toLocaleString() })
      : t('bans.forever');
    const item = h('li', { class: 'blocked-item', dataset: { ban: ban.id, network: ban.network } },
      h('div', { class: 'blocked-who' },
        h('code', { text: ban.network }),
        ban.note && h('span', { class: 'small', text: ban.note }),
        h('span', { class: 'muted small' }, relativeTime(Date.parse(ban.created_at)), ' · ', until)),
      lift);
    lift.addEventListener('click', () => busy(lift, async () => {
      await api('DELETE', `/sites/${site.id}/bans/${ban.id}`);
      item.remove();
      empty.hidden = list.children.length > 0;
      toast(t('bans.lifted', { network: ban.network }), 'success');
    }));
    return item;
  }

  const network = h('input', { class: 'input input-mono', name: 'ban_network', maxlength: '64', required: true, placeholder: '203.0.113.0/24', 'aria-label': t('bans.network') });
  const note = h('input', { class: 'input', name: 'ban_note', maxlength: '500', 'aria-label': t('bans.note') });
  const expiry = h('select', { class: 'input', name: 'ban_expiry', 'aria-label': t('bans.expiry') },
    ...EXPIRIES.map(([label, secs]) => h('option', { value: String(secs), text: t(label) })));
  const add = h('button', { class: 'btn btn-primary btn-sm', type: 'submit' }, icon('plus', 14), h('span', { text: t('bans.add') }));
  const error = formError();
  const form = h('form', { class: 'webhook-add', dataset: { role: 'ban-add' } },
    h('label', { class: 'field' }, h('span', { text: t('bans.network') }), network,
      h('span', { class: 'muted small', text: t('bans.networkHint') })),
    h('label', { class: 'field' }, h('span', { text: t('bans.note') }), note),
    h('label', { class: 'field' }, h('span', { text: t('bans.expiry') }), expiry),
    error, add);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(add, async () => {
      error.clear();
      const body = { network: network.value.trim() };
      if (note.value.trim()) body.note = note.value.trim();
      if (Number(expiry.value) > 0) body.expires_in_secs = Number(expiry.value);
      try {
        const made = await api('POST', `/sites/${site.id}/bans`, { body });
        list.prepend(row(made));
        empty.hidden = true;
        network.value = '';
        note.value = '';
      } catch (err) { error.show(err.message); }
    });
  });

  async function load() {
    const page = await api('GET', `/sites/${site.id}/bans`);
    list.replaceChildren(...page.bans.map(row));
    empty.hidden = page.bans.length > 0;
  }
  load().catch((err) => mount(list, h('li', { class: 'form-error', role: 'alert', text: err.message })));
  return [list, empty, form];
}

function limitsForm(site) {
  const inputs = Object.fromEntries(LIMITS.map(([name, , max]) => [name,
    h('input', { class: 'input', name, type: 'number', min: '1', max: String(max), step: '1', inputmode: 'numeric' })]));
  const save = h('button', { class: 'btn btn-secondary btn-sm', type: 'submit', dataset: { action: 'save-limits' }, text: t('limits.save') });
  const error = formError();
  const form = h('form', { class: 'limits-form', dataset: { role: 'limits' } },
    h('h3', { text: t('limits.title') }),
    h('p', { class: 'muted small', text: t('limits.text') }),
    ...LIMITS.map(([name, label]) => h('label', { class: 'field' }, h('span', { text: t(label) }), inputs[name])),
    error, save);

  function show(limits) {
    for (const [name] of LIMITS) {
      inputs[name].value = limits[name] == null ? '' : String(limits[name]);
      inputs[name].placeholder = t('limits.default', { n: limits.effective[name] });
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(save, async () => {
      error.clear();
      const body = {};
      for (const [name] of LIMITS) {
        const raw = inputs[name].value.trim();
        body[name] = raw === '' ? null : Number(raw);
      }
      try {
        show(await api('PUT', `/sites/${site.id}/limits`, { body }));
        toast(t('limits.saved'), 'success');
      } catch (err) { error.show(err.message); }
    });
  });
  api('GET', `/sites/${site.id}/limits`).then(show, (err) => error.show(err.message));
  return form;
}

export function bansSection(site) {
  const el = h('section', { class: 'card section', dataset: { section: 'bans' } },
    h('h2', { text: t('bans.title') }),
    h('p', { class: 'muted small', text: t('bans.text') }),
    ...bansList(site),
    limitsForm(site));
  return { el };
}
