// A site's identity verification: its secret (generated or rotated here, shown once) and
// whether visitors must be verified (see the README's "Verified visitors").
import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { busy, copyButton, toast } from '../ui.js';

export function identitySection(site) {
  const path = `/sites/${site.id}/identity`;
  const status = h('p', { class: 'muted small', dataset: { role: 'identity-status' } });
  const shown = h('div', { class: 'identity-secret', hidden: true });
  const generate = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: 'identity-secret' } });
  const required = h('input', { type: 'checkbox', name: 'verification_required' });
  const anonymous = h('input', { type: 'checkbox', name: 'anonymous_allowed' });
  const settings = h('div', { class: 'identity-settings', hidden: true },
    h('label', { class: 'check-row' }, required, h('span', { text: t('identity.required') })),
    h('label', { class: 'check-row' }, anonymous, h('span', { text: t('identity.anonymous') })));

  function show(identity) {
    status.textContent = identity.configured ? t('identity.configured') : t('identity.none');
    generate.textContent = identity.configured ? t('identity.rotate') : t('identity.generate');
    settings.hidden = !identity.configured;
    required.checked = identity.verification_required;
    anonymous.checked = identity.anonymous_allowed;
    anonymous.disabled = !identity.verification_required;
  }

  generate.addEventListener('click', () => busy(generate, async () => {
    const made = await api('POST', `${path}/secret`);
    const code = h('code', { class: 'key', dataset: { role: 'identity-secret' }, text: made.secret });
    mount(shown, h('p', { class: 'small', text: t('identity.shownOnce') }), code, copyButton(() => made.secret, t('identity.copy')));
    shown.hidden = false;
    show(made.identity);
  }));
  for (const box of [required, anonymous]) {
    box.addEventListener('change', async () => {
      try {
        show(await api('PATCH', path, { body: { [box.name]: box.checked } }));
        toast(t('identity.saved'), 'success');
      } catch (err) {
        toast(err.message, 'error');
      }
    });
  }
  const el = h('section', { class: 'card section', dataset: { section: 'identity' } },
    h('h2', { text: t('identity.title') }),
    h('p', { class: 'muted small', text: t('identity.text') }),
    status, h('div', {}, generate), shown, settings);
  api('GET', path).then(show).catch((err) => { status.textContent = err.message; });
  return { el };
}
