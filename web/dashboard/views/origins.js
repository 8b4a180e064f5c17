// The allowed-origins list editor: exact `scheme://host[:port]` entries as removable chips.

import { h, icon, mount } from '../dom.js';

/** The origin of what was typed (a pasted page URL is trimmed to its origin), or null. */
export function parseOrigin(text) {
  const raw = text.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * An editor for a list of origins. `onChange(list)` runs after each add or remove.
 * `commit()` adds what is still typed in the box (so it is not lost on submit) and
 * returns false if that text is not an origin.
 */
export function originsEditor(initial = [], { onChange = () => {} } = {}) {
  let origins = [...initial];
  const list = h('ul', { class: 'chips', 'aria-label': 'Allowed origins' });
  const input = h('input', {
    class: 'input', type: 'text', name: 'origin', inputmode: 'url', autocomplete: 'off',
    placeholder: 'https://shop.example.com', 'aria-label': 'Add an allowed origin',
  });
  const error = h('small', { class: 'field-error', hidden: true });
  const add = h('button', { class: 'btn btn-secondary', type: 'button', dataset: { action: 'add-origin' } }, icon('plus', 16), h('span', { text: 'Add' }));

  function render() {
    mount(list, origins.length
      ? origins.map((origin) => h('li', { class: 'chip', dataset: { origin } },
        icon('globe', 14),
        h('span', { text: origin }),
        h('button', {
          type: 'button', class: 'chip-remove', 'aria-label': `Remove ${origin}`,
          onclick: () => {
            origins = origins.filter((o) => o !== origin);
            render();
            onChange(origins);
          },
        }, icon('x', 14))))
      : h('li', { class: 'chips-empty', text: 'No origins yet: the widget will not load anywhere.' }));
  }

  function commit() {
    error.hidden = true;
    if (!input.value.trim()) return true;
    const origin = parseOrigin(input.value);
    if (!origin) {
      error.textContent = 'Enter an origin like https://shop.example.com (scheme, host and optional port).';
      error.hidden = false;
      return false;
    }
    if (!origins.includes(origin)) origins.push(origin);
    input.value = '';
    render();
    onChange(origins);
    return true;
  }

  add.addEventListener('click', commit);
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
  };
}
