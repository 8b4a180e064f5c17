// Labels on conversations: the chips the inbox rows show, and the bar under the open
// conversation's head that edits them (type and Enter adds, × or Backspace in the empty
// field removes). The server checks and lower-cases labels (docs/api.md, Labels); the
// bar sends the whole set and shows what the server kept.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { toast } from '../ui.js';

/** The server's bounds: labels per conversation, characters per label. */
const MAX_LABELS = 10;
const MAX_LABEL_CHARS = 32;

/** A label as the server will store it (trimmed, lower-case). */
const normalize = (raw) => raw.trim().toLowerCase();

/** A site's labels in use, for the filter and the field's suggestions. */
export async function siteLabels(siteId) {
  const list = await api('GET', `/sites/${siteId}/labels`);
  return list.labels.map((l) => l.name);
}

/** Small chips for an inbox row; nothing when the room has none. */
export function labelChips(labels) {
  if (!labels?.length) return null;
  return h('span', { class: 'label-chips' },
    ...labels.map((label) => h('span', { class: 'label-chip', dataset: { role: 'label' }, text: label })));
}

/**
 * The label bar of one conversation. `onChange(room)` gets the RoomView the server
 * answered after a change; `bar.set(labels)` shows labels learned elsewhere (a `labels`
 * frame) without touching what is being typed.
 */
export function labelBar(room, { onChange }) {
  let labels = room.labels ?? [];
  const suggestions = h('datalist', { id: `labels-${room.id}` });
  const chips = h('span', { class: 'label-chips' });
  const input = h('input', {
    class: 'label-input', type: 'text', maxlength: MAX_LABEL_CHARS, list: suggestions.id,
    placeholder: t('labels.add'), 'aria-label': t('labels.add'), dataset: { role: 'label-input' },
  });
  const el = h('div', { class: 'convo-labels', role: 'group', 'aria-label': t('labels.title') },
    icon('tag', 14), chips, input, suggestions);

  function render() {
    mount(chips, labels.map((label) => h('span', { class: 'label-chip', dataset: { role: 'label' } },
      h('span', { text: label }),
      h('button', {
        type: 'button', class: 'label-remove', 'aria-label': t('labels.remove', { label }),
        dataset: { action: 'remove-label' }, onclick: () => change((held) => held.filter((l) => l !== label)),
      }, '×'))));
    input.hidden = labels.length >= MAX_LABELS;
  }

  /**
   * Changes go one at a time, each computed from the set the previous one left: two
   * quick Enters never send sets made from the same stale one.
   */
  let queue = Promise.resolve();
  function change(next) {
    queue = queue.then(() => save(next(labels)));
    return queue;
  }

  async function save(next) {
    if (next.length === labels.length && next.every((l, i) => l === labels[i])) return true;
    try {
      const updated = await api('PUT', `/rooms/${room.id}/labels`, { body: { labels: next } });
      labels = updated.labels;
      render();
      onChange(updated);
      return true;
    } catch (err) {
      toast(err.message, 'error');
      return false;
    }
  }

  input.addEventListener('keydown', async (event) => {
    if (event.key === 'Enter' && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      const label = normalize(input.value);
      if (!label) return;
      // Cleared at once, so what is typed next is the next label; given back if refused.
      input.value = '';
      const saved = await change((held) => (held.includes(label) ? held : [...held, label]));
      if (!saved && !input.value) input.value = label;
    } else if (event.key === 'Backspace' && !input.value && labels.length) {
      event.preventDefault();
      change((held) => held.slice(0, -1));
    }
  });

  siteLabels(room.site_id).then((names) => {
    mount(suggestions, names.map((name) => h('option', { value: name })));
  }).catch(() => {});
  render();

  return {
    el,
    set(next) {
      labels = next;
      render();
    },
  };
}
