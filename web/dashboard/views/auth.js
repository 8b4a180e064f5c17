// The pages before signing in: sign in, sign up, forgotten password, and the pages mail
// links open (email verification, password reset, email change), which read their token
// from the URL fragment and then drop it from the address bar.

import { language, t } from '../i18n.js';
import { api, login } from '../api.js';
import { h, icon } from '../dom.js';
import { session } from '../session.js';
import { busy, formError, toast } from '../ui.js';

function page(title, subtitle, ...body) {
  return h('div', { class: 'auth-page' },
    h('div', { class: 'auth-card' },
      h('a', { href: '/', class: 'brand brand-lg' }, h('span', { class: 'brand-mark' }, icon('chat', 18)), h('span', { text: 'PinTalk' })),
      h('h1', { text: title }),
      subtitle && h('p', { class: 'muted', text: subtitle }),
      ...body));
}

function field(label, input, hint = null) {
  return h('label', { class: 'field' }, h('span', { text: label }), input, hint && h('small', { class: 'hint', text: hint }));
}

function input(name, type, props = {}) {
  return h('input', { class: 'input', name, type, required: true, ...props });
}

/** A one-time token from `#token=…`, removed from the address bar at once. */
function takeFragmentToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  return token;
}

export function loginView(app) {
  const email = input('email', 'email', { autocomplete: 'username', autofocus: true });
  const password = input('password', 'password', { autocomplete: 'current-password' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('auth.signIn') });
  const form = h('form', { class: 'form', novalidate: false },
    field(t('auth.email'), email),
    field(t('auth.password'), password),
    error, submit,
    // After the button, so the keyboard goes email → password → sign in.
    h('p', { class: 'form-aside' }, h('a', { href: '/forgot-password', class: 'small-link', text: t('auth.forgot') })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      await login(email.value.trim(), password.value);
      app.afterSignIn();
    }, (err) => error.show(err.message));
  });
  return {
    el: page(t('auth.welcome'), t('auth.welcomeSub'), form,
      h('p', { class: 'auth-foot' }, t('auth.newTo'), h('a', { href: '/signup', text: t('auth.createAccountLink') }))),
  };
}

export function signupView(app) {
  const name = input('name', 'text', { autocomplete: 'name', maxlength: '100', autofocus: true });
  const email = input('email', 'email', { autocomplete: 'email' });
  const password = input('password', 'password', { autocomplete: 'new-password', minlength: '8' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('auth.createAccount') });
  const form = h('form', { class: 'form' },
    field(t('auth.yourName'), name),
    field(t('auth.email'), email),
    field(t('auth.password'), password, t('auth.min8')),
    error, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const address = email.value.trim();
      await api('POST', '/auth/signup', { auth: false, body: { email: address, password: password.value, name: name.value.trim(), language: language() } });
      await login(address, password.value);
      toast(t('auth.checkMail', { email: address }), 'success');
      app.afterSignIn();
    }, (err) => error.show(err.message));
  });
  return {
    el: page(t('auth.createTitle'), t('auth.createSub'), form,
      h('p', { class: 'auth-foot' }, t('auth.haveAccount'), h('a', { href: '/login', text: t('auth.signIn') }))),
  };
}

/**
 * The form that mails a reset link: an email field and a button; once sent, it gives way
 * to a notice. The forgotten-password page and a reset link that no longer works share it.
 */
function resetLinkForm(submitLabel) {
  const email = input('email', 'email', { autocomplete: 'email', autofocus: true });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: submitLabel });
  const form = h('form', { class: 'form', dataset: { form: 'reset-link' } }, field(t('auth.email'), email), error, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const address = email.value.trim();
      await api('POST', '/auth/password/forgot', { auth: false, body: { email: address } });
      form.replaceWith(h('div', { class: 'notice notice-success', role: 'status' },
        icon('check', 18),
        h('span', { text: t('auth.resetSent', { email: address }) })));
    }, (err) => error.show(err.message));
  });
  return form;
}

export function forgotView() {
  const el = page(t('auth.resetTitle'), t('auth.resetSub'), resetLinkForm(t('auth.sendReset')),
    h('p', { class: 'auth-foot' }, h('a', { href: '/login', text: t('auth.backToSignIn') })));
  return { el };
}

/**
 * A page a mail link opens: it posts the link's token to `path` and says how that went.
 * `done()` runs after a success, before it is shown; `next` is where the button goes.
 */
function linkPage({ path, pending, ok, okText, okData, failed, next, done }) {
  const token = takeFragmentToken();
  const body = h('div', { class: 'verify-state' }, h('div', { class: 'spinner' }));
  const el = page(pending, null, body);
  const title = el.querySelector('h1');
  const button = () => h('a', { class: 'btn btn-primary btn-block', href: session.signedIn() ? next.href : '/login',
    text: session.signedIn() ? next.text : t('auth.signIn') });
  if (!token) {
    title.textContent = t('auth.linkIncomplete');
    body.replaceChildren(h('p', { class: 'muted', text: t('auth.linkAsSent') }), button());
    return { el };
  }
  api('POST', path, { auth: false, body: { token } }).then(async () => {
    await done();
    title.textContent = ok;
    body.replaceChildren(
      h('div', { class: 'notice notice-success', role: 'status', dataset: okData }, icon('check', 18),
        h('span', { text: okText })),
      button());
  }, (err) => {
    title.textContent = failed;
    body.replaceChildren(h('div', { class: 'notice notice-error', role: 'alert', text: err.message }), button());
  });
  return { el };
}

export function verifyView(app) {
  return linkPage({
    path: '/auth/email/verify',
    pending: t('auth.confirming'),
    ok: t('auth.confirmed'),
    okText: t('auth.confirmedText'),
    okData: { verified: 'true' },
    failed: t('auth.notConfirmed'),
    next: { href: '/', text: t('auth.toDashboard') },
    done: () => {
      if (app.me) app.setMe({ ...app.me, email_verified: true });
    },
  });
}

export function resetView() {
  const token = takeFragmentToken();
  const password = input('password', 'password', { autocomplete: 'new-password', minlength: '8', autofocus: true });
  const confirm = input('confirm', 'password', { autocomplete: 'new-password', minlength: '8' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('auth.setNew') });
  const form = h('form', { class: 'form' },
    field(t('auth.newPassword'), password, t('auth.min8')), field(t('auth.repeat'), confirm), error, submit);
  const body = h('div', { class: 'verify-state' }, h('div', { class: 'spinner' }));
  const el = page(t('auth.chooseNew'), t('auth.chooseNewSub'), body);
  const title = el.querySelector('h1');
  const subtitle = el.querySelector('h1 + p');

  /** A used or expired link: say so, and offer a new one instead of the form. */
  function deadLink() {
    title.textContent = t('auth.linkUsed');
    subtitle.textContent = t('auth.linkUsedText');
    body.replaceChildren(resetLinkForm(t('auth.sendNewLink')),
      h('p', { class: 'auth-foot' }, h('a', { href: '/login', text: t('auth.backToSignIn') })));
    body.dataset.link = 'dead';
  }

  if (!token) {
    body.replaceChildren(h('div', { class: 'notice notice-error', role: 'alert', text: t('auth.linkIncompleteFull') }));
    return { el };
  }
  // Asked before the form is shown, so a dead link never costs the owner a new password.
  api('POST', '/auth/password/reset/check', { auth: false, body: { token } }).then(() => {
    body.replaceChildren(form);
    password.focus();
  }, (err) => {
    if (err.code === 'invalid_one_time_token') deadLink();
    // Anything else (the network, say): the form, whose answer will tell.
    else body.replaceChildren(form);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    if (password.value !== confirm.value) {
      error.show(t('auth.differ'));
      return;
    }
    busy(submit, async () => {
      await api('POST', '/auth/password/reset', { auth: false, body: { token, password: password.value } });
      // The reset ended every session, this browser's too.
      session.clear('signed-out');
      form.replaceWith(h('div', { class: 'notice notice-success', role: 'status' }, icon('check', 18),
        h('span', { text: t('auth.changed') })),
      h('a', { class: 'btn btn-primary btn-block', href: '/login', text: t('auth.signIn') }));
    }, (err) => {
      if (err.code === 'invalid_one_time_token') deadLink();
      else error.show(err.message);
    });
  });
  return { el };
}

/** The page the link mailed to a new address opens: it moves the account there. */
export function changeEmailView(app) {
  return linkPage({
    path: '/auth/email/change',
    pending: t('auth.changingEmail'),
    ok: t('auth.emailChanged'),
    okText: t('auth.emailChangedText'),
    okData: { changed: 'true' },
    failed: t('auth.emailNotChanged'),
    next: { href: '/account', text: t('auth.toAccount') },
    // This browser's session (if any) goes on: show it the new address.
    done: async () => {
      if (app.me) app.setMe(await api('GET', '/me').catch(() => app.me));
    },
  });
}

/** A workspace role's name in the owner's language. */
export function roleName(role) {
  return { owner: t('role.owner'), admin: t('role.admin'), agent: t('role.agent') }[role] ?? role;
}

/**
 * The page an invitation mail links to: shows what it offers, and joins once signed in.
 * The token waits in this tab's session storage while the invitee signs in or up.
 */
export function invitationView(app) {
  const fresh = takeFragmentToken();
  if (fresh) sessionStorage.setItem('pintalk.invitation', fresh);
  const token = sessionStorage.getItem('pintalk.invitation');
  const body = h('div', { class: 'verify-state' }, h('div', { class: 'spinner' }));
  const el = page(t('invite.title'), null, body);
  const title = el.querySelector('h1');
  const failed = (err) => {
    sessionStorage.removeItem('pintalk.invitation');
    title.textContent = t('invite.invalid');
    body.replaceChildren(h('div', { class: 'notice notice-error', role: 'alert', text: err.message }),
      h('a', { class: 'btn btn-primary btn-block', href: '/', text: t('auth.toDashboard') }));
  };
  if (!token) {
    title.textContent = t('auth.linkIncomplete');
    body.replaceChildren(h('p', { class: 'muted', text: t('auth.linkAsSent') }));
    return { el };
  }
  api('POST', '/invitations/lookup', { auth: false, body: { token } }).then((offer) => {
    title.textContent = t('invite.join', { workspace: offer.workspace_name });
    const role = h('p', { class: 'muted', text: t('invite.as', { role: roleName(offer.role) }) });
    if (!session.signedIn()) {
      // Back here after signing in or up; the token waits in session storage.
      sessionStorage.setItem('pintalk.next', '/accept-invitation');
      body.replaceChildren(role,
        h('a', { class: 'btn btn-primary btn-block', href: '/login', text: t('auth.signIn') }),
        h('p', { class: 'auth-foot' }, h('a', { href: '/signup', text: t('invite.signUp') })));
      return;
    }
    const join = h('button', { class: 'btn btn-primary btn-block', type: 'button', text: t('invite.accept') });
    join.addEventListener('click', () => busy(join, async () => {
      try {
        await api('POST', '/invitations/accept', { body: { token } });
      } catch (err) {
        if (err.code !== 'already_member') return failed(err);
      }
      sessionStorage.removeItem('pintalk.invitation');
      await app.loadSites();
      app.rt.reconnect();
      app.navigate('/');
    }));
    body.replaceChildren(role, join);
  }, failed);
  return { el };
}
