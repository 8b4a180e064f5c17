// Canned replies: the account page's manager (add, edit, delete), and the composer's
// picker — type `/` and a few letters of a shortcut, move with ↑/↓, insert with Enter or
// Tab (variables filled in), close with Escape.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { busy, confirmDialog, formError } from '../ui.js';

/** What a shortcut may be, as the server checks it. */
const SHORTCUT = '^[a-z0-9_\\-]{1,32}$';
/** The most suggestions the picker lists at once. */
const PICKER_MAX = 8;

/** The owner's replies, loaded once per page and kept in step by the manager. */
let cache = null;

async function replies() {
  cache ??= api('GET', '/canned-replies').catch((err) => {
    cache = null;
    throw err;
  });
  return cache;
}

function forget() {
  cache = null;
}

/**
 * Fills in `{visitor.name}`, `{visitor.email}`, `{agent.name}` and `{site.name}` from
 * `values`; a missing value becomes empty text, anything else in braces stays as typed.
 */
export function expand(body, values) {
  return body.replace(/\{(visitor\.name|visitor\.email|agent\.name|site\.name)\}/g, (_, name) => values[name] ?? '');
}

/** The account page's section: the list, each editable in place, and a form to add one. */
export function cannedRepliesSection() {
  const list = h('ul', { class: 'webhook-list', dataset: { role: 'canned-list' } });
  const empty = h('p', { class: 'muted small', text: t('canned.none'), hidden: true });

  function fields(reply = {}) {
    return {
      shortcut: h('input', { class: 'input', name: 'shortcut', required: true, pattern: SHORTCUT, maxlength: '32', value: reply.shortcut ?? '', placeholder: 'shipping', 'aria-label': t('canned.shortcut') }),
      title: h('input', { class: 'input', name: 'title', maxlength: '100', value: reply.title ?? '', 'aria-label': t('canned.titleLabel') }),
      body: h('textarea', { class: 'input', name: 'body', required: true, rows: '3', maxlength: '4000', 'aria-label': t('canned.body'), text: reply.body ?? '' }),
    };
  }

  function values(f) {
    const title = f.title.value.trim();
    return { shortcut: f.shortcut.value.trim(), title: title || null, body: f.body.value };
  }

  function row(reply) {
    const edit = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', dataset: { action: 'edit' }, text: t('canned.edit') });
    const remove = h('button', { class: 'btn btn-ghost btn-sm danger', type: 'button', dataset: { action: 'delete' }, 'aria-label': t('canned.delete') }, icon('trash', 14));
    const item = h('li', { class: 'webhook-item', dataset: { canned: reply.id, shortcut: reply.shortcut } });
    const show = () => mount(item,
      h('div', { class: 'webhook-head' },
        h('code', { text: `/${reply.shortcut}` }),
        reply.title && h('strong', { text: reply.title }),
        edit, remove),
      h('p', { class: 'muted small canned-body', text: reply.body }));
    edit.addEventListener('click', () => {
      const f = fields(reply);
      const error = formError();
      const save = h('button', { class: 'btn btn-primary btn-sm', type: 'submit', text: t('canned.save') });
      const cancel = h('button', { class: 'btn btn-ghost btn-sm', type: 'button', text: t('canned.cancel'), onclick: show });
      const form = h('form', { class: 'webhook-add', dataset: { role: 'canned-edit' } },
        h('label', { class: 'field' }, h('span', { text: t('canned.shortcut') }), f.shortcut),
        h('label', { class: 'field' }, h('span', { text: t('canned.titleLabel') }), f.title),
        h('label', { class: 'field' }, h('span', { text: t('canned.body') }), f.body),
        error, h('div', { class: 'row' }, save, cancel));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        busy(save, async () => {
          error.clear();
          try {
            reply = await api('PATCH', `/canned-replies/${reply.id}`, { body: values(f) });
            item.dataset.shortcut = reply.shortcut;
            forget();
            show();
          } catch (err) { error.show(err.message); }
        });
      });
      mount(item, form);
      f.shortcut.focus();
    });
    remove.addEventListener('click', async () => {
      const ok = await confirmDialog({ title: t('canned.deleteTitle', { shortcut: reply.shortcut }), message: t('canned.deleteText'), confirmLabel: t('canned.delete'), danger: true });
      if (!ok) return;
      await busy(remove, async () => {
        await api('DELETE', `/canned-replies/${reply.id}`);
        forget();
        item.remove();
        empty.hidden = list.children.length > 0;
      });
    });
    show();
    return item;
  }

  const f = fields();
  const add = h('button', { class: 'btn btn-primary btn-sm', type: 'submit' }, icon('plus', 14), h('span', { text: t('canned.add') }));
  const error = formError();
  const form = h('form', { class: 'webhook-add', dataset: { role: 'canned-add' } },
    h('label', { class: 'field' }, h('span', { text: t('canned.shortcut') }), f.shortcut),
    h('label', { class: 'field' }, h('span', { text: t('canned.titleLabel') }), f.title),
    h('label', { class: 'field' }, h('span', { text: t('canned.body') }), f.body),
    h('p', { class: 'muted small', text: t('canned.variables') }),
    error, add);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(add, async () => {
      error.clear();
      try {
        const made = await api('POST', '/canned-replies', { body: values(f) });
        forget();
        list.append(row(made));
        empty.hidden = true;
        f.shortcut.value = '';
        f.title.value = '';
        f.body.value = '';
      } catch (err) { error.show(err.message); }
    });
  });

  async function load() {
    forget();
    const all = await replies();
    list.replaceChildren(...all.map(row));
    empty.hidden = all.length > 0;
  }

  const el = h('section', { class: 'card section', dataset: { section: 'canned-replies' } },
    h('h2', { text: t('canned.title') }),
    h('p', { class: 'muted small', text: t('canned.text') }),
    list, empty, form);
  load().catch((err) => mount(list, h('li', { class: 'form-error', role: 'alert', text: err.message })));
  return el;
}

/**
 * The composer's picker for `input`. `values()` gives the variables' values now. Returns
 * the listbox element (to place above the input) and `keydown(event)`, which the composer
 * calls first: true when the picker took the key.
 */
export function cannedPicker(input, values) {
  const box = h('ul', { class: 'canned-picker', role: 'listbox', id: `canned-${Math.random().toString(36).slice(2)}`, 'aria-label': t('canned.title'), hidden: true });
  let shown = [];
  let active = 0;
  let asked = 0;

  /** The `/word` the caret ends, if any: where it starts and what it says. */
  function typedShortcut() {
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const m = /(^|\s)\/([a-z0-9_-]{0,32})$/.exec(before);
    return m ? { from: before.length - m[2].length - 1, word: m[2] } : null;
  }

  function close() {
    box.hidden = true;
    shown = [];
    input.removeAttribute('aria-activedescendant');
  }

  function draw() {
    if (!shown.length) return close();
    mount(box, shown.map((reply, i) => h('li', {
      role: 'option', id: `${box.id}-${i}`, 'aria-selected': String(i === active), dataset: { shortcut: reply.shortcut },
      onmousedown: (event) => { event.preventDefault(); insert(reply); },
    }, h('code', { text: `/${reply.shortcut}` }), ' ', h('span', { class: 'muted', text: reply.title ?? reply.body.slice(0, 60) }))));
    box.hidden = false;
    input.setAttribute('aria-activedescendant', `${box.id}-${active}`);
  }

  function insert(reply) {
    const typed = typedShortcut();
    if (!typed) return close();
    const text = expand(reply.body, values());
    const end = input.selectionStart ?? input.value.length;
    input.value = input.value.slice(0, typed.from) + text + input.value.slice(end);
    const caret = typed.from + text.length;
    input.setSelectionRange(caret, caret);
    close();
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /** Looks again at what is typed: call on every input. */
  async function update() {
    const typed = typedShortcut();
    if (!typed) return close();
    const mine = ++asked;
    let all;
    try { all = await replies(); } catch { return close(); }
    if (mine !== asked) return;
    shown = all.filter((r) => r.shortcut.startsWith(typed.word)).slice(0, PICKER_MAX);
    active = 0;
    draw();
  }

  function keydown(event) {
    if (box.hidden || !shown.length) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      active = (active + (event.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
      draw();
    } else if ((event.key === 'Enter' && !event.isComposing) || event.key === 'Tab') {
      insert(shown[active]);
    } else if (event.key === 'Escape') {
      close();
    } else {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  }

  input.setAttribute('aria-controls', box.id);
  input.setAttribute('aria-autocomplete', 'list');
  input.addEventListener('input', update);
  input.addEventListener('blur', close);
  return { el: box, keydown };
}
