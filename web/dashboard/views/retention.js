// A site's retention, on its settings page: after how many idle days its conversations
// are deleted (empty: kept for ever). Saved on its own, apart from the widget's draft.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, formError, toast } from '../ui.js';

/** The server's bounds on `retention_days`. */
const MIN_DAYS = 1;
const MAX_DAYS = 3650;

export function retentionSection(site) {
  const days = h('input', {
    class: 'input', type: 'number', name: 'retention_days', min: String(MIN_DAYS), max: String(MAX_DAYS),
    step: '1', inputmode: 'numeric', dataset: { role: 'retention-days' },
  });
  const error = formError();
  const save = h('button', { class: 'btn btn-secondary btn-sm', type: 'submit', text: t('settings.retentionSave'), dataset: { action: 'save-retention' } });
  const el = h('form', { class: 'card section form', dataset: { form: 'retention' } },
    h('h2', { text: t('settings.retention') }),
    h('label', { class: 'field' }, h('span', { text: t('settings.retentionDays') }), days,
      h('small', { class: 'hint', text: t('settings.retentionHint') })),
    error,
    h('div', { class: 'form-actions start' }, save));

  el.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(save, async () => {
      const value = days.value.trim() === '' ? null : Number(days.value);
      try {
        const saved = await api('PUT', `/sites/${site.id}/retention`, { body: { retention_days: value } });
        days.value = saved.retention_days ?? '';
        toast(t('settings.retentionSaved'), 'success');
      } catch (err) {
        error.show(err.message);
      }
    });
  });

  api('GET', `/sites/${site.id}/retention`)
    .then((r) => { days.value = r.retention_days ?? ''; })
    .catch(() => {});
  return { el };
}
