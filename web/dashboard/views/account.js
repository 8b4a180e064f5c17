// The owner's account: profile, password, sessions, and deleting the account.

import { api, changePassword, logout } from '../api.js';
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
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: 'Save profile' });
  const form = h('form', { class: 'card section form' },
    h('h2', { text: 'Profile' }),
    h('div', { class: 'profile-row' }, face,
      h('div', {}, h('strong', { text: me.email }),
        h('p', { class: 'muted small' }, me.email_verified
          ? h('span', { class: 'pill pill-ok', text: 'Email confirmed' })
          : h('span', { class: 'pill pill-warn', text: 'Email not confirmed yet' })))),
    h('div', { class: 'grid-2' }, field('Name', name, 'Visitors see it next to your replies.'), field('Company', company)),
    field('Avatar URL', avatarUrl, 'An https link to a square image.'),
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
      toast('Profile saved', 'success');
    }, (err) => error.show(err.message));
  });
  return form;
}

function passwordSection() {
  const current = h('input', { class: 'input', name: 'current_password', type: 'password', required: true, autocomplete: 'current-password' });
  const next = h('input', { class: 'input', name: 'password', type: 'password', required: true, minlength: '8', autocomplete: 'new-password' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: 'Change password' });
  const form = h('form', { class: 'card section form' },
    h('h2', { text: 'Password' }),
    h('p', { class: 'muted small', text: 'Changing it signs out every other device.' }),
    h('div', { class: 'grid-2' }, field('Current password', current), field('New password', next, 'At least 8 characters.')),
    error,
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      await changePassword(current.value, next.value);
      form.reset();
      toast('Password changed. Other devices were signed out.', 'success');
    }, (err) => error.show(err.message));
  });
  return form;
}

function sessionsSection() {
  const out = h('button', { class: 'btn btn-secondary', type: 'button' }, icon('logout', 16), h('span', { text: 'Sign out' }));
  const everywhere = h('button', { class: 'btn btn-ghost', type: 'button', text: 'Sign out everywhere' });
  out.addEventListener('click', () => busy(out, () => logout()));
  everywhere.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Sign out everywhere?',
      message: 'Every browser signed in to this account, this one included, is signed out.',
      confirmLabel: 'Sign out everywhere',
    });
    if (ok) await busy(everywhere, () => logout({ everywhere: true }));
  });
  return h('section', { class: 'card section' },
    h('h2', { text: 'Sessions' }),
    h('p', { class: 'muted small', text: 'Lost a device? Sign out everywhere and sign in again here.' }),
    h('div', { class: 'form-actions start' }, out, everywhere));
}

function deleteSection(app) {
  const remove = h('button', { class: 'btn btn-danger-ghost', type: 'button' }, icon('trash', 16), h('span', { text: 'Delete account' }));
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Delete your account?',
      message: 'Your sites, their conversations and every message are deleted for good. Widgets on your pages stop working.',
      confirmLabel: 'Delete my account',
      danger: true,
      typeToConfirm: app.me.email,
    });
    if (!ok) return;
    await busy(remove, async () => {
      await api('DELETE', '/me');
      session.clear('signed-out');
      toast('Your account is deleted.');
    });
  });
  return h('section', { class: 'card section danger-zone' },
    h('div', { class: 'section-head' },
      h('div', {}, h('h2', { text: 'Delete account' }),
        h('p', { class: 'muted small', text: 'Deletes everything: sites, visitors, conversations.' })),
      remove));
}

export function accountView(app) {
  return {
    el: h('div', { class: 'page page-narrow' },
      h('header', { class: 'page-head' }, h('div', {}, h('h1', { text: 'Your account' }))),
      profileSection(app),
      passwordSection(),
      sessionsSection(),
      deleteSection(app)),
  };
}
