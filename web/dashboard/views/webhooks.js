// A site's webhook endpoints, on its settings page: add one (its signing secret shown
// once), choose its events, turn it off or delete it, and read its delivery log with
// Redeliver. Paged as the server pages it.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { busy, confirmDialog, copyButton, formError, toast } from '../ui.js';
import { relativeTime } from '../time.js';

/** The events an endpoint can subscribe to, in the server's spelling. */
const EVENTS = ['conversation.created', 'message.created', 'conversation.closed', 'conversation.reopened', 'conversation.assigned', 'visitor.identified'];
const LOG_PAGE = 20;
const STATUS_LABELS = { pending: 'webhooks.status.pending', delivered: 'webhooks.status.delivered', failed: 'webhooks.status.failed' };

function eventBoxes(chosen, name) {
  return EVENTS.map((event) => h('label', { class: 'check-row' },
    h('input', { type: 'checkbox', name, value: event, checked: chosen.includes(event) }),
    h('code', { text: event })));
}

function checkedEvents(container) {
  return [...container.querySelectorAll('input[type=checkbox][value]:checked')].map((box) => box.value);
}

/** An endpoint's delivery log: newest first, with Redeliver on each. */
function deliveryLog(site, hook) {
  const list = h('ul', { class: 'delivery-list', dataset: { role: 'deliveries' } });
  const empty = h('p', { class: 'muted small', text: t('webhooks.noDeliveries'), hidden: true });
  const more = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', text: t('webhooks.more'), hidden: true });
  let cursor = null;
  const path = `/sites/${site.id}/webhooks/${hook.id}/deliveries`;

  function status(d) {
    return h('span', { class: `badge delivery-${d.status}`, dataset: { status: d.status }, text: t(STATUS_LABELS[d.status]) });
  }

  function row(d) {
    const again = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: 'redeliver' } },
      icon('undo', 14), h('span', { text: t('webhooks.redeliver') }));
    const detail = d.last_error || (d.last_status ? t('webhooks.answered', { status: d.last_status }) : '');
    const item = h('li', { class: 'delivery-item', dataset: { delivery: d.id, event: d.event_id } },
      h('div', { class: 'delivery-what' },
        h('code', { text: d.event }),
        h('span', { class: 'muted small' }, relativeTime(Date.parse(d.created_at)), ' · ',
          t('webhooks.attempts', { n: d.attempts }), detail ? ` · ${detail}` : '')),
      status(d), again);
    again.addEventListener('click', () => busy(again, async () => {
      const queued = await api('POST', `${path}/${d.id}/redeliver`);
      item.replaceWith(row(queued));
      toast(t('webhooks.redelivering'), 'success');
    }));
    return item;
  }

  async function load(reset = false) {
    if (reset) { cursor = null; list.replaceChildren(); }
    const query = new URLSearchParams({ limit: String(LOG_PAGE) });
    if (cursor) query.set('cursor', cursor);
    const page = await api('GET', `${path}?${query}`);
    list.append(...page.deliveries.map(row));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    empty.hidden = list.children.length > 0;
  }

  const refresh = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', dataset: { action: 'refresh' }, text: t('webhooks.refresh') });
  refresh.addEventListener('click', () => busy(refresh, () => load(true)));
  more.addEventListener('click', () => busy(more, () => load()));
  const el = h('div', { class: 'delivery-log', dataset: { role: 'delivery-log' } },
    h('div', { class: 'section-head' }, h('strong', { text: t('webhooks.log') }), refresh),
    list, empty, more);
  load().catch((err) => mount(list, h('li', { class: 'form-error', role: 'alert', text: err.message })));
  return { el };
}

/** The secret of an endpoint just made: shown this once, with Copy. */
function secretNotice(secret) {
  return h('div', { class: 'notice notice-warn', dataset: { role: 'webhook-secret' } },
    h('p', { class: 'small', text: t('webhooks.secretOnce') }),
    h('div', { class: 'key-row' }, h('code', { class: 'key', text: secret }), copyButton(() => secret)));
}

export function webhooksSection(site) {
  const list = h('ul', { class: 'webhook-list', dataset: { role: 'webhook-list' } });
  const empty = h('p', { class: 'muted small', text: t('webhooks.none'), hidden: true });

  function endpointRow(hook, secret = null) {
    const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: hook.enabled });
    const events = h('div', { class: 'check-list' }, ...eventBoxes(hook.events, `events-${hook.id}`));
    const save = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: 'save' }, text: t('webhooks.save') });
    const logButton = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', dataset: { action: 'log' }, text: t('webhooks.showLog') });
    const remove = h('button', { class: 'btn btn-ghost btn-sm danger', type: 'button', dataset: { action: 'delete' }, 'aria-label': t('webhooks.delete') }, icon('trash', 14));
    const error = formError();
    let log = null;
    const item = h('li', { class: 'webhook-item', dataset: { webhook: hook.id } },
      h('div', { class: 'webhook-head' },
        h('code', { class: 'webhook-url', text: hook.url }),
        h('label', { class: 'check-row' }, enabled, h('span', { text: t('webhooks.enabled') })),
        remove),
      secret && secretNotice(secret),
      events, error,
      h('div', { class: 'webhook-actions' }, save, logButton));
    save.addEventListener('click', () => busy(save, async () => {
      error.clear();
      try {
        const saved = await api('PATCH', `/sites/${site.id}/webhooks/${hook.id}`, { body: { enabled: enabled.checked, events: checkedEvents(events) } });
        Object.assign(hook, saved);
        toast(t('webhooks.saved'), 'success');
      } catch (err) { error.show(err.message); }
    }));
    logButton.addEventListener('click', () => {
      if (log) { log.el.remove(); log = null; logButton.textContent = t('webhooks.showLog'); return; }
      log = deliveryLog(site, hook);
      item.append(log.el);
      logButton.textContent = t('webhooks.hideLog');
    });
    remove.addEventListener('click', async () => {
      const ok = await confirmDialog({ title: t('webhooks.deleteTitle'), message: t('webhooks.deleteText', { url: hook.url }), confirmLabel: t('webhooks.delete'), danger: true });
      if (!ok) return;
      await busy(remove, async () => {
        await api('DELETE', `/sites/${site.id}/webhooks/${hook.id}`);
        item.remove();
        empty.hidden = list.children.length > 0;
      });
    });
    return item;
  }

  // Adding one.
  const url = h('input', { class: 'input input-mono', name: 'webhook_url', type: 'url', maxlength: '2000', placeholder: 'https://example.com/hooks/pintalk', 'aria-label': t('webhooks.url') });
  const newEvents = h('div', { class: 'check-list' }, ...eventBoxes(['conversation.created', 'message.created'], 'new-events'));
  const add = h('button', { class: 'btn btn-primary btn-sm', type: 'submit' }, icon('plus', 14), h('span', { text: t('webhooks.add') }));
  const addError = formError();
  const form = h('form', { class: 'webhook-add', dataset: { role: 'webhook-add' } },
    h('label', { class: 'field' }, h('span', { text: t('webhooks.url') }), url),
    h('div', { class: 'field' }, h('span', { class: 'label', text: t('webhooks.events') }), newEvents),
    addError, add);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(add, async () => {
      addError.clear();
      try {
        const made = await api('POST', `/sites/${site.id}/webhooks`, { body: { url: url.value.trim(), events: checkedEvents(newEvents) } });
        list.append(endpointRow(made, made.secret));
        empty.hidden = true;
        url.value = '';
      } catch (err) { addError.show(err.message); }
    });
  });

  async function load() {
    const hooks = await api('GET', `/sites/${site.id}/webhooks`);
    list.replaceChildren(...hooks.map((hook) => endpointRow(hook)));
    empty.hidden = hooks.length > 0;
  }

  const el = h('section', { class: 'card section', dataset: { section: 'webhooks' } },
    h('h2', { text: t('webhooks.title') }),
    h('p', { class: 'muted small', text: t('webhooks.text') }),
    list, empty, form);
  load().catch((err) => mount(list, h('li', { class: 'form-error', role: 'alert', text: err.message })));
  return { el };
}
