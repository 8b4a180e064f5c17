// The owner's API tokens, on the account page: make one for a bot or back office (the
// token shown this once, with Copy), see when each was last used, and revoke one.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { busy, confirmDialog, copyButton, formError } from '../ui.js';
import { relativeTime } from '../time.js';

/** The scopes a token can have, in the server's spelling, and their labels. */
const SCOPE_LABELS = { read: 'apiTokens.scope.read', write: 'apiTokens.scope.write' };

/** A token just made: shown this once, with Copy. */
function tokenNotice(token) {
  return h('div', { class: 'notice notice-warn', dataset: { role: 'api-token-secret' } },
    h('p', { class: 'small', text: t('apiTokens.once') }),
    h('div', { class: 'key-row' }, h('code', { class: 'key', text: token }), copyButton(() => token)));
}

export function apiTokensSection() {
  const list = h('ul', { class: 'webhook-list', dataset: { role: 'api-token-list' } });
  const empty = h('p', { class: 'muted small', text: t('apiTokens.none'), hidden: true });

  function row(token, secret = null) {
    const used = token.last_used_at
      ? h('span', {}, t('apiTokens.lastUsed'), ' ', relativeTime(Date.parse(token.last_used_at)))
      : h('span', { text: t('apiTokens.neverUsed') });
    const revoke = h('button', { class: 'btn btn-ghost btn-sm danger', type: 'button', dataset: { action: 'revoke' }, 'aria-label': t('apiTokens.revoke') }, icon('trash', 14));
    const item = h('li', { class: 'webhook-item', dataset: { apiToken: token.id } },
      h('div', { class: 'webhook-head' },
        h('strong', { text: token.name }),
        h('span', { class: 'badge', dataset: { scope: token.scope }, text: t(SCOPE_LABELS[token.scope]) }),
        h('span', { class: 'muted small' }, used),
        revoke),
      secret && tokenNotice(secret));
    revoke.addEventListener('click', async () => {
      const ok = await confirmDialog({ title: t('apiTokens.revokeTitle'), message: t('apiTokens.revokeText', { name: token.name }), confirmLabel: t('apiTokens.revoke'), danger: true });
      if (!ok) return;
      await busy(revoke, async () => {
        await api('DELETE', `/api-tokens/${token.id}`);
        item.remove();
        empty.hidden = list.children.length > 0;
      });
    });
    return item;
  }

  const name = h('input', { class: 'input', name: 'api_token_name', maxlength: '100', required: true, placeholder: t('apiTokens.namePlaceholder'), 'aria-label': t('apiTokens.name') });
  const scope = h('select', { class: 'input', name: 'api_token_scope', 'aria-label': t('apiTokens.scopeLabel') },
    ...Object.entries(SCOPE_LABELS).map(([value, label]) => h('option', { value, text: t(label) })));
  const add = h('button', { class: 'btn btn-primary btn-sm', type: 'submit' }, icon('plus', 14), h('span', { text: t('apiTokens.create') }));
  const error = formError();
  const form = h('form', { class: 'webhook-add', dataset: { role: 'api-token-add' } },
    h('label', { class: 'field' }, h('span', { text: t('apiTokens.name') }), name),
    h('label', { class: 'field' }, h('span', { text: t('apiTokens.scopeLabel') }), scope),
    error, add);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(add, async () => {
      error.clear();
      try {
        const made = await api('POST', '/api-tokens', { body: { name: name.value.trim(), scope: scope.value } });
        list.append(row(made, made.token));
        empty.hidden = true;
        name.value = '';
      } catch (err) { error.show(err.message); }
    });
  });

  async function load() {
    const tokens = await api('GET', '/api-tokens');
    list.replaceChildren(...tokens.map((token) => row(token)));
    empty.hidden = tokens.length > 0;
  }

  const el = h('section', { class: 'card section', dataset: { section: 'api-tokens' } },
    h('h2', { text: t('apiTokens.title') }),
    h('p', { class: 'muted small', text: t('apiTokens.text') }),
    list, empty, form);
  load().catch((err) => mount(list, h('li', { class: 'form-error', role: 'alert', text: err.message })));
  return el;
}
