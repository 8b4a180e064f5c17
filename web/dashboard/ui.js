// Small shared pieces of interface: toasts, confirmation dialogs, busy buttons, avatars,
// clipboard copies and form errors.

import { t } from './i18n.js';
import { h, icon } from './dom.js';

let toasts;

/** A short message in the corner; `kind` is 'info', 'success' or 'error'. */
export function toast(message, kind = 'info') {
  if (!toasts) {
    toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toasts);
  }
  const el = h('div', { class: `toast toast-${kind}`, text: message });
  toasts.append(el);
  setTimeout(() => {
    el.classList.add('leaving');
    setTimeout(() => el.remove(), 300);
  }, kind === 'error' ? 6000 : 3500);
}

/**
 * Asks for confirmation in a modal dialog; resolves true or false. With `typeToConfirm`
 * the button stays disabled until that text is typed.
 */
export function confirmDialog({ title, message, confirmLabel = t('ui.confirm'), danger = false, typeToConfirm = null }) {
  return new Promise((resolve) => {
    const input = typeToConfirm
      ? h('input', { class: 'input', autocomplete: 'off', 'aria-label': t('ui.typeToConfirm', { text: typeToConfirm }) })
      : null;
    const ok = h('button', { class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, type: 'submit', value: 'ok', text: confirmLabel });
    if (input) {
      ok.disabled = true;
      input.addEventListener('input', () => { ok.disabled = input.value.trim() !== typeToConfirm; });
    }
    const dialog = h('dialog', { class: 'dialog' },
      h('form', { method: 'dialog' },
        h('h2', { text: title }),
        h('p', { class: 'muted', text: message }),
        typeToConfirm && h('label', { class: 'field' }, h('span', { text: t('ui.typeToConfirm', { text: typeToConfirm }) }), input),
        h('div', { class: 'dialog-actions' },
          h('button', { class: 'btn btn-ghost', type: 'submit', value: 'cancel', text: t('ui.cancel') }),
          ok)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    (input ?? ok).focus();
  });
}

/** Runs `fn` with the button disabled and marked busy; errors go to `onError` or a toast. */
export async function busy(button, fn, onError = (err) => toast(err.message, 'error')) {
  button.disabled = true;
  button.classList.add('busy');
  try {
    return await fn();
  } catch (err) {
    onError(err);
    return undefined;
  } finally {
    button.disabled = false;
    button.classList.remove('busy');
  }
}

/** A box under a form for its error; `.show(message)` / `.clear()`. */
export function formError() {
  const el = h('div', { class: 'form-error', role: 'alert', hidden: true });
  el.show = (message) => { el.textContent = message; el.hidden = false; };
  el.clear = () => { el.textContent = ''; el.hidden = true; };
  return el;
}

const PALETTE = ['#6366f1', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316'];

function hash(text) {
  let n = 0;
  for (const ch of text) n = (n * 31 + ch.codePointAt(0)) >>> 0;
  return n;
}

/** A round avatar: the image when there is one, else initials on a colour from the id. */
export function avatar({ id, name, url = null, online = null, size = 'md' }) {
  const initials = (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join('');
  const face = url
    ? h('img', { src: url, alt: '', referrerpolicy: 'no-referrer' })
    : h('span', { text: initials || '?' });
  return h('span', {
    class: `avatar avatar-${size}`,
    style: url ? null : { background: PALETTE[hash(id ?? name ?? '') % PALETTE.length] },
  }, face, online === null ? null : h('span', {
    class: `presence ${online ? 'online' : 'offline'}`,
    title: online ? t('ui.onlineNow') : t('ui.offline'),
    dataset: { online: String(online) },
  }));
}

/** Copies text; falls back to a selection copy where the Clipboard API is missing. */
export async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Not permitted: fall through.
    }
  }
  const area = h('textarea', { style: { position: 'fixed', opacity: '0' } });
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

/** A copy button for `getText()`, confirming with a tick. */
export function copyButton(getText, label = t('ui.copy')) {
  const text = h('span', { text: label });
  const button = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: 'copy' } }, icon('copy', 16), text);
  button.addEventListener('click', async () => {
    await copyText(getText());
    button.replaceChildren(icon('check', 16), h('span', { text: t('ui.copied') }));
    button.classList.add('copied');
    setTimeout(() => {
      button.replaceChildren(icon('copy', 16), text);
      button.classList.remove('copied');
    }, 2000);
  });
  return button;
}

/** The name a visitor is shown by when they gave none. */
export function visitorName(visitor) {
  return visitor.name || visitor.email || t('ui.visitor', { tag: visitor.id.replace(/-/g, '').slice(-4).toUpperCase() });
}

// Open <details class="menu"> pop-overs close on a click elsewhere or on Escape.
document.addEventListener('click', (event) => {
  for (const menu of document.querySelectorAll('details.menu[open]')) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  for (const menu of document.querySelectorAll('details.menu[open]')) menu.open = false;
});

/**
 * The WAI-ARIA menu button pattern on a `<details class="menu">` whose items have
 * role=menuitem: opening focuses the first item (ArrowUp on the button: the last),
 * ArrowUp/ArrowDown move and wrap, Home/End jump, Escape closes back to the button, Tab
 * closes and moves on. Items are out of the tab order; arrows reach them.
 */
export function menuButton(details) {
  const summary = details.querySelector('summary');
  const items = () => [...details.querySelectorAll('[role=menuitem]')];
  for (const item of items()) item.tabIndex = -1;
  summary.setAttribute('aria-haspopup', 'menu');
  summary.setAttribute('aria-expanded', 'false');
  let focusLast = false;
  details.addEventListener('toggle', () => {
    summary.setAttribute('aria-expanded', String(details.open));
    if (details.open) (focusLast ? items().at(-1) : items()[0])?.focus();
    focusLast = false;
  });
  summary.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    focusLast = event.key === 'ArrowUp';
    if (details.open) (focusLast ? items().at(-1) : items()[0])?.focus();
    else details.open = true;
  });
  details.addEventListener('keydown', (event) => {
    if (!details.open) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      details.open = false;
      summary.focus();
      return;
    }
    if (event.key === 'Tab') {
      details.open = false;
      return;
    }
    const list = items();
    const at = list.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowDown: (at + 1) % list.length, ArrowUp: (at - 1 + list.length) % list.length, Home: 0, End: list.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    list[next].focus();
  });
  return details;
}
