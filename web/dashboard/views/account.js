// The owner's account: profile, email, password, sessions, and deleting the account.

import { LANGUAGES, language, setLanguage, t } from '../i18n.js';
import { api, changePassword, download, logout } from '../api.js';
import { apiTokensSection } from './api-tokens.js';
import { teamSection } from './members.js';
import { cannedRepliesSection } from './canned-replies.js';
import { disablePush, enablePush, pushState } from '../push.js';
import { h, icon } from '../dom.js';
import { session } from '../session.js';
import { avatar, busy, confirmDialog, formError, toast } from '../ui.js';

function field(label, control, hint = null) {
  return h('label', { class: 'field' }, h('span', { text: label }), control, hint && h('small', { class: 'hint', text: hint }));
}

function profileSection(app) {
  const me = app.me;
  const name = h('input', { class: 'input', name: 'name', required: true, maxlength: '100', value: me.name, autocomplete: 'name' });
  const company = h('input', { class: 'input', name: 'company', maxlength: '100', value: me.company ?? '', autocomplete: 'organization' });
  const avatarUrl = h('input', { class: 'input', name: 'avatar_url', type: 'url', value: me.avatar_url ?? '', placeholder: 'https://…' });
  const face = h('div', { class: 'profile-face' });
  const paintFace = () => face.replaceChildren(avatar({ id: me.id, name: name.value || me.name, url: avatarUrl.value.startsWith('https://') ? avatarUrl.value : null, size: 'lg' }));
  name.addEventListener('input', paintFace);
  avatarUrl.addEventListener('change', paintFace);
  paintFace();
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: t('account.saveProfile') });
  const form = h('form', { class: 'card section form' },
    h('h2', { text: t('account.profile') }),
    h('div', { class: 'profile-row' }, face,
      h('div', {}, h('strong', { text: me.email }),
        h('p', { class: 'muted small' }, me.email_verified
          ? h('span', { class: 'pill pill-ok', text: t('account.emailOk') })
          : h('span', { class: 'pill pill-warn', text: t('account.emailNotYet') })))),
    h('div', { class: 'grid-2' }, field(t('account.name'), name, t('account.nameHint')), field(t('account.company'), company)),
    field(t('account.avatar'), avatarUrl, t('account.avatarHint')),
    error,
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const updated = await api('PATCH', '/me', { body: {
        name: name.value.trim(),
        company: company.value.trim() || null,
        avatar_url: avatarUrl.value.trim() || null,
      } });
      app.setMe(updated);
      toast(t('account.profileSaved'), 'success');
    }, (err) => error.show(err.message));
  });
  return form;
}

/**
 * Moving the account to another address: the server mails a link to the new one and
 * changes nothing until it is followed; meanwhile the pending address is shown.
 */
function emailSection(app) {
  const email = h('input', { class: 'input', name: 'new_email', type: 'email', required: true, maxlength: '254', autocomplete: 'email' });
  const current = h('input', { class: 'input', name: 'email_password', type: 'password', required: true, autocomplete: 'current-password' });
  const pending = h('div', { class: 'notice notice-info', role: 'status', dataset: { role: 'pending-email' } });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: t('account.changeEmail') });
  const shown = h('strong', { dataset: { role: 'account-email' } });
  const form = h('form', { class: 'card section form', dataset: { form: 'email' } },
    h('h2', { text: t('account.email') }),
    h('p', { class: 'muted small' }, t('account.emailIs'), ' ', shown, '. ', t('account.emailNote')),
    pending,
    h('div', { class: 'grid-2' }, field(t('account.newEmail'), email), field(t('account.current'), current)),
    error,
    h('div', { class: 'form-actions' }, submit));
  const paint = () => {
    shown.textContent = app.me.email;
    pending.hidden = !app.me.pending_email;
    pending.replaceChildren(icon('bell', 16), h('span', { text: t('account.emailPending', { email: app.me.pending_email ?? '' }) }));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const updated = await api('POST', '/me/email', { body: { email: email.value.trim(), current_password: current.value } });
      app.setMe(updated);
      form.reset();
      toast(t('account.emailSent', { email: updated.pending_email }), 'success');
    }, (err) => error.show(err.message));
  });
  paint();
  return { el: form, paint };
}

function passwordSection() {
  const current = h('input', { class: 'input', name: 'current_password', type: 'password', required: true, autocomplete: 'current-password' });
  const next = h('input', { class: 'input', name: 'password', type: 'password', required: true, minlength: '8', autocomplete: 'new-password' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: t('account.changePassword') });
  const form = h('form', { class: 'card section form' },
    h('h2', { text: t('auth.password') }),
    h('p', { class: 'muted small', text: t('account.passwordNote') }),
    h('div', { class: 'grid-2' }, field(t('account.current'), current), field(t('auth.newPassword'), next, t('auth.min8'))),
    error,
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      await changePassword(current.value, next.value);
      form.reset();
      toast(t('account.passwordChanged'), 'success');
    }, (err) => error.show(err.message));
  });
  return form;
}

function sessionsSection() {
  const out = h('button', { class: 'btn btn-secondary', type: 'button' }, icon('logout', 16), h('span', { text: t('account.signOut') }));
  const everywhere = h('button', { class: 'btn btn-ghost', type: 'button', text: t('account.everywhere') });
  out.addEventListener('click', () => busy(out, () => logout()));
  everywhere.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: t('account.everywhereTitle'),
      message: t('account.everywhereText'),
      confirmLabel: t('account.everywhere'),
    });
    if (ok) await busy(everywhere, () => logout({ everywhere: true }));
  });
  return h('section', { class: 'card section' },
    h('h2', { text: t('account.sessions') }),
    h('p', { class: 'muted small', text: t('account.sessionsText') }),
    h('div', { class: 'form-actions start' }, out, everywhere));
}

/** The whole workspace as one JSON file, streamed by the server. */
function exportSection() {
  const button = h('button', { class: 'btn btn-secondary', type: 'button', dataset: { action: 'export-workspace' } },
    icon('download', 16), h('span', { text: t('account.exportWorkspace') }));
  button.addEventListener('click', () => busy(button, async () => {
    try {
      await download('/me/export', 'pintalk-workspace.json');
    } catch (err) {
      toast(err.message, 'error');
    }
  }));
  return h('section', { class: 'card section' },
    h('h2', { text: t('account.exportTitle') }),
    h('p', { class: 'muted small', text: t('account.exportText') }),
    h('div', { class: 'form-actions start' }, button));
}

/** The dashboard's language, kept by the account: every device the owner signs in from shows it. */
function languageSection(app) {
  const select = h('select', { class: 'input', name: 'language' },
    ...Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, text: name })));
  select.value = language();
  select.addEventListener('change', async () => {
    const chosen = select.value;
    select.disabled = true;
    try {
      app.setMe(await api('PATCH', '/me', { body: { language: chosen } }));
      setLanguage(chosen);
    } catch (err) {
      select.value = language();
      toast(err.message, 'error');
    } finally {
      select.disabled = false;
    }
  });
  return h('section', { class: 'card section form' },
    h('h2', { text: t('account.language') }),
    field(t('account.dashboardLanguage'), select, t('account.languageHint')));
}

/** How the owner hears by mail of conversations nobody read (GET/PUT /me/notifications). */
function mailSection() {
  const modes = { each: t('account.mailEach'), digest: t('account.mailDigest'), off: t('account.mailOff') };
  const select = h('select', { class: 'input', name: 'email_notifications', disabled: true },
    ...Object.entries(modes).map(([mode, label]) => h('option', { value: mode, text: label })));
  api('GET', '/me/notifications').then((settings) => {
    select.value = settings.email;
    select.disabled = false;
  }, (err) => toast(err.message, 'error'));
  select.addEventListener('change', () => busy(select, async () => {
    await api('PUT', '/me/notifications', { body: { email: select.value } });
    toast(t('account.mailSaved'), 'success');
  }));
  return h('section', { class: 'card section form' },
    h('h2', { text: t('account.mail') }),
    field(t('account.mailWhen'), select, t('account.mailHint')));
}

/**
 * Push notifications on this device (Web Push through the service worker): the browser's
 * permission is asked here, from the button, never on load.
 */
const PUSH_STATES = {
  on: 'account.pushStateOn',
  off: 'account.pushStateOff',
  denied: 'account.pushStateDenied',
  unavailable: 'account.pushStateUnavailable',
  unsupported: 'account.pushStateUnsupported',
};

function pushSection() {
  const status = h('p', { class: 'muted small push-status' });
  const button = h('button', { class: 'btn btn-primary', type: 'button', dataset: { action: 'push' }, disabled: true });
  const section = h('section', { class: 'card section form push-section' },
    h('h2', { text: t('account.push') }),
    h('p', { class: 'muted small', text: t('account.pushHint') }),
    status,
    h('div', { class: 'form-actions' }, button));
  function paint(state) {
    section.dataset.state = state;
    status.textContent = t(PUSH_STATES[state] ?? PUSH_STATES.off);
    const actionable = state === 'on' || state === 'off';
    button.hidden = !actionable;
    button.disabled = !actionable;
    button.textContent = state === 'on' ? t('account.pushOff') : t('account.pushOn');
  }
  pushState().then(paint, () => paint('unsupported'));
  button.addEventListener('click', () => busy(button, async () => {
    const turningOn = section.dataset.state !== 'on';
    try {
      paint(turningOn ? await enablePush() : await disablePush());
      if (section.dataset.state === 'on') toast(t('account.pushSaved'), 'success');
    } catch (err) {
      paint('off');
      toast(t('account.pushFailed', { why: err.message }), 'error');
    }
  }));
  return section;
}

function deleteSection(app) {
  const remove = h('button', { class: 'btn btn-danger-ghost', type: 'button' }, icon('trash', 16), h('span', { text: t('account.delete') }));
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: t('account.deleteTitle'),
      message: t('account.deleteText'),
      confirmLabel: t('account.deleteConfirm'),
      danger: true,
      typeToConfirm: app.me.email,
    });
    if (!ok) return;
    await busy(remove, async () => {
      await api('DELETE', '/me');
      session.clear('signed-out');
      toast(t('account.deleted'));
    });
  });
  return h('section', { class: 'card section danger-zone' },
    h('div', { class: 'section-head' },
      h('div', {}, h('h2', { text: t('account.delete') }),
        h('p', { class: 'muted small', text: t('account.deleteNote') })),
      remove));
}

export function accountView(app) {
  const email = emailSection(app);
  const off = app.on('me', email.paint);
  return {
    destroy: off,
    el: h('div', { class: 'page page-narrow' },
      h('header', { class: 'page-head' }, h('div', {}, h('h1', { text: t('account.title') }))),
      profileSection(app),
      email.el,
      languageSection(app),
      mailSection(),
      pushSection(),
      passwordSection(),
      sessionsSection(),
      teamSection(app),
      cannedRepliesSection(),
      apiTokensSection(),
      exportSection(),
      deleteSection(app)),
  };
}
