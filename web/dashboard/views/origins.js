// The allowed-origins list editor: exact `scheme://host[:port]` entries as removable chips.

import { t } from '../i18n.js';
import { h, icon, mount } from '../dom.js';

/** The server's limit on an origin's length (services/account/src/domain/origin.rs). */
const MAX_ORIGIN = 300;

/**
 * What was typed, read with the server's rule (services/account/src/domain/origin.rs):
 * exactly `scheme://host[:port]` as browsers send it — http or https, no user name, path,
 * query or fragment, written as the browser serialises it. Returns `{ origin }`, or
 * `{ error }` saying what is wrong.
 */
export function checkOrigin(text) {
  const raw = text.trim();
  if (raw.length > MAX_ORIGIN) return { error: t('origins.tooLong', { max: MAX_ORIGIN }) };
  if (/\s/.test(raw)) return { error: t('origins.spaces') };
  let url;
  try {
    url = new URL(raw);
  } catch {
    return { error: t('origins.notUrl') };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: t('origins.scheme') };
  if (url.username || url.password) return { error: t('origins.userinfo') };
  // Chromium escapes characters a host cannot have instead of refusing them.
  if (url.hostname.includes('%')) return { error: t('origins.host') };
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(raw)) {
    return { error: t('origins.path', { origin: url.origin }) };
  }
  if (url.origin !== raw) return { error: t('origins.exactly', { origin: url.origin }) };
  return { origin: url.origin };
}

/**
 * An editor for a list of origins. `onChange(list)` runs after each add or remove.
 * `commit()` adds what is still typed in the box (so it is not lost on submit) and
 * returns false if that text is not an origin.
 */
export function originsEditor(initial = [], { onChange = () => {} } = {}) {
  let origins = [...initial];
  const list = h('ul', { class: 'chips', 'aria-label': t('settings.origins') });
  const input = h('input', {
    class: 'input', type: 'text', name: 'origin', inputmode: 'url', autocomplete: 'off',
    placeholder: 'https://shop.example.com', 'aria-label': t('origins.add'), 'aria-describedby': 'origin-error',
  });
  const error = h('small', { class: 'field-error', id: 'origin-error', role: 'alert', hidden: true });
  const add = h('button', { class: 'btn btn-secondary', type: 'button', dataset: { action: 'add-origin' } }, icon('plus', 16), h('span', { text: t('origins.addButton') }));

  function render() {
    mount(list, origins.length
      ? origins.map((origin) => h('li', { class: 'chip', dataset: { origin } },
        icon('globe', 14),
        h('span', { text: origin }),
        h('button', {
          type: 'button', class: 'chip-remove', 'aria-label': t('origins.remove', { origin }),
          onclick: () => {
            origins = origins.filter((o) => o !== origin);
            render();
            onChange(origins);
          },
        }, icon('x', 14))))
      : h('li', { class: 'chips-empty', text: t('origins.none') }));
  }

  function commit() {
    error.hidden = true;
    if (!input.value.trim()) return true;
    const { origin, error: wrong } = checkOrigin(input.value);
    input.setAttribute('aria-invalid', String(Boolean(wrong)));
    if (wrong) {
      error.textContent = wrong;
      error.hidden = false;
      input.focus();
      return false;
    }
    if (!origins.includes(origin)) origins.push(origin);
    input.value = '';
    render();
    onChange(origins);
    return true;
  }

  add.addEventListener('click', commit);
  input.addEventListener('input', () => {
    error.hidden = true;
    input.removeAttribute('aria-invalid');
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault();
      commit();
    }
  });
  render();

  return {
    el: h('div', { class: 'origins' }, list, h('div', { class: 'inline-form' }, input, add), error),
    values: () => [...origins],
    set(next) {
      origins = [...next];
      render();
    },
    commit,
    /** Text typed in the box but not added yet. */
    pending: () => input.value.trim(),
  };
}
