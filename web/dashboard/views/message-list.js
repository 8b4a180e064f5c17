// A conversation's messages on screen: ordered by seq with duplicates dropped, the
// owner's own sends shown at once (pending until acked), day separators, "Seen" from the
// visitor's read cursor, the typing indicator, and scroll kept where the reader expects.

import { t } from '../i18n.js';
import { h, icon, linkify } from '../dom.js';
import { clock, dayKey, dayLabel } from '../time.js';

/** Consecutive messages of one sender this close together are drawn as one group. */
const GROUP_MS = 5 * 60_000;

export class MessageList {
  /** seq → message */
  #bySeq = new Map();
  /** cid → { body, failed, frame } for sends not yet acked */
  #pending = new Map();
  /** Cached nodes, so a re-render moves elements instead of recreating them. */
  #nodes = new Map();
  #days = new Map();
  #visitorRead = 0;
  #hasMore = false;
  #loadingOlder = false;

  constructor({ onNeedOlder, onRetry, visitorLabel }) {
    this.onNeedOlder = onNeedOlder;
    this.onRetry = onRetry;
    this.older = h('div', { class: 'older', hidden: true }, h('div', { class: 'spinner spinner-sm' }));
    this.items = h('div', { class: 'items' });
    this.typingEl = h('div', { class: 'typing-row', hidden: true, 'aria-live': 'polite' },
      h('span', { class: 'typing-dots' }, h('i'), h('i'), h('i')),
      h('span', { text: t('convo.typing', { name: visitorLabel }) }));
    this.el = h('div', { class: 'messages', role: 'log', 'aria-label': t('convo.messages') }, this.older, this.items, this.typingEl);
    this.el.addEventListener('scroll', () => this.#maybeLoadOlder(), { passive: true });
  }

  get hasMore() {
    return this.#hasMore;
  }

  /** The highest seq on screen (0 if none). */
  maxSeq() {
    let max = 0;
    for (const seq of this.#bySeq.keys()) max = Math.max(max, seq);
    return max;
  }

  minSeq() {
    let min = Infinity;
    for (const seq of this.#bySeq.keys()) min = Math.min(min, seq);
    return min === Infinity ? 0 : min;
  }

  /** A page of history: older messages go above, the scroll position stays put. */
  addHistory(messages, hasMore, { initial = false } = {}) {
    for (const m of messages) this.#bySeq.set(m.seq, m);
    this.#hasMore = hasMore;
    this.#render(initial ? 'bottom' : 'keep');
    if (initial) this.#fillViewport();
  }

  /**
   * After a `resync`: what was held after `afterSeq` is void (another epoch's numbering
   * says 0) and goes; the newest page replaces the rest if they do not join up (older
   * ones load again on scroll).
   */
  replaceNewest(messages, hasMore, afterSeq = Infinity) {
    for (const seq of [...this.#bySeq.keys()]) {
      if (seq > afterSeq) {
        this.#bySeq.delete(seq);
        this.#nodes.delete(`s:${seq}`);
      }
    }
    const oldest = messages[0]?.seq ?? 0;
    const held = this.maxSeq();
    if (oldest > held + 1) {
      this.#bySeq.clear();
      this.#nodes.clear();
      this.#hasMore = true;
    } else {
      this.#hasMore = this.#hasMore || hasMore;
    }
    for (const m of messages) this.#bySeq.set(m.seq, m);
    this.#dropConfirmed();
    this.#render('bottom');
  }

  /** A live message; the owner's own echo replaces its pending copy. */
  addLive(message) {
    if (this.#bySeq.has(message.seq)) return false;
    this.#bySeq.set(message.seq, message);
    this.#pending.delete(message.cid);
    this.#render(message.sender.kind === 'owner' ? 'bottom' : 'follow');
    return true;
  }

  addPending(frame) {
    this.#pending.set(frame.cid, { body: frame.body, note: Boolean(frame.note), failed: null, frame });
    this.#render('bottom');
  }

  /** The ack: the message is stored with `seq`. */
  confirm(cid, seq, ts, sender) {
    const pending = this.#pending.get(cid);
    if (!pending) return;
    this.#pending.delete(cid);
    if (!this.#bySeq.has(seq)) {
      this.#bySeq.set(seq, { seq, ts, cid, sender, body: pending.body, note: pending.note });
    }
    this.#render('follow');
  }

  fail(cid, message) {
    const pending = this.#pending.get(cid);
    if (!pending) return;
    pending.failed = message;
    this.#nodes.delete(`p:${cid}`);
    this.#render('follow');
  }

  retry(cid) {
    const pending = this.#pending.get(cid);
    if (!pending) return;
    pending.failed = null;
    this.#nodes.delete(`p:${cid}`);
    this.#render('follow');
  }

  setVisitorRead(seq) {
    if (seq <= this.#visitorRead) return;
    this.#visitorRead = seq;
    this.#render('follow');
  }

  setTyping(active) {
    const follow = this.#atBottom();
    this.typingEl.hidden = !active;
    if (follow) this.scrollToBottom();
  }

  setLoadingOlder(loading) {
    this.#loadingOlder = loading;
    this.older.hidden = !loading;
  }

  scrollToBottom() {
    this.el.scrollTop = this.el.scrollHeight;
  }

  #atBottom() {
    return this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 48;
  }

  #maybeLoadOlder() {
    if (this.el.scrollTop < 160 && this.#hasMore && !this.#loadingOlder) this.onNeedOlder();
  }

  /** Loads older pages until the list can scroll (or there is nothing older). */
  #fillViewport() {
    requestAnimationFrame(() => {
      if (this.el.isConnected && this.el.scrollHeight <= this.el.clientHeight + 160) this.#maybeLoadOlder();
    });
  }

  #dropConfirmed() {
    const cids = new Set([...this.#bySeq.values()].map((m) => m.cid));
    for (const cid of this.#pending.keys()) if (cids.has(cid)) this.#pending.delete(cid);
  }

  /** `mode`: 'bottom' scrolls down; 'follow' only if already there; 'keep' holds the view. */
  #render(mode) {
    const wasAtBottom = this.#atBottom();
    const fromBottom = this.el.scrollHeight - this.el.scrollTop;
    const sorted = [...this.#bySeq.values()].sort((a, b) => a.seq - b.seq);
    // Receipts are of replies: the visitor never sees a note.
    const lastOwner = sorted.findLast((m) => m.sender.kind === 'owner' && !m.note);
    // A visitor who wrote after a reply has seen it, whether or not their read mark came.
    const read = Math.max(this.#visitorRead, sorted.findLast((m) => m.sender.kind === 'visitor')?.seq ?? 0);
    const lastSeen = sorted.findLast((m) => m.sender.kind === 'owner' && !m.note && m.seq <= read);
    const children = [];
    let prev = null;
    const entries = [
      ...sorted.map((m) => ({ key: `s:${m.seq}`, m })),
      ...[...this.#pending.entries()].map(([cid, p]) => ({
        key: `p:${cid}`,
        m: { cid, body: p.body, note: p.note, ts: Date.now(), sender: { kind: 'owner' }, pending: true, failed: p.failed },
      })),
    ];
    entries.forEach(({ key, m }, i) => {
      const day = dayKey(m.ts);
      if (!prev || dayKey(prev.ts) !== day) {
        if (!this.#days.has(day)) this.#days.set(day, h('div', { class: 'day-sep' }, h('span', { text: dayLabel(m.ts) })));
        children.push(this.#days.get(day));
      }
      let node = this.#nodes.get(key);
      if (!node) {
        node = this.#node(m);
        this.#nodes.set(key, node);
      }
      const next = entries[i + 1]?.m;
      const joins = (a, b) => a.sender.kind === b.sender.kind && Boolean(a.note) === Boolean(b.note)
        && b.ts - a.ts < GROUP_MS && dayKey(a.ts) === dayKey(b.ts);
      const joinsPrev = prev && joins(prev, m);
      const joinsNext = next && joins(m, next);
      node.classList.toggle('joined', Boolean(joinsPrev));
      node.classList.toggle('tail', !joinsNext);
      const receipt = node.querySelector('.receipt');
      if (receipt && !m.pending) {
        const label = m === lastSeen ? t('convo.seen') : m === lastOwner ? t('convo.sent') : '';
        receipt.textContent = label;
        node.classList.toggle('show-receipt', Boolean(label));
        node.dataset.seen = String(m.seq <= read);
      }
      children.push(node);
      prev = m;
    });
    this.items.replaceChildren(...children);
    if (mode === 'keep') this.el.scrollTop = this.el.scrollHeight - fromBottom;
    else if (mode === 'bottom' || wasAtBottom) this.scrollToBottom();
  }

  #node(m) {
    const mine = m.sender.kind === 'owner';
    const meta = h('div', { class: 'meta' });
    if (m.pending) {
      if (m.failed) {
        meta.append(h('span', { class: 'failed', text: t('convo.notSent', { why: m.failed }) }),
          h('button', { class: 'link-btn', type: 'button', text: t('convo.retry'), onclick: () => this.onRetry(m.cid) }));
      } else {
        meta.append(h('span', { class: 'sending', text: t('convo.sending') }));
      }
    } else {
      meta.append(h('time', { datetime: new Date(m.ts).toISOString(), title: new Date(m.ts).toLocaleString(), text: clock(m.ts) }));
      if (mine && !m.note) meta.append(h('span', { class: 'receipt' }, ''), icon('checks', 14));
    }
    // A note is drawn apart from the conversation: labelled, and in the note colour, so
    // nobody takes it for something the visitor read.
    const label = m.note && h('div', { class: 'note-label', text: m.sender.name ? t('convo.noteBy', { name: m.sender.name }) : t('convo.note') });
    return h('div', {
      class: `msg ${mine ? 'mine' : 'theirs'}${m.note ? ' note' : ''}${m.pending ? ' pending' : ''}${m.failed ? ' failed' : ''}`,
      dataset: { seq: m.pending ? '' : String(m.seq), mine: String(mine), cid: m.cid ?? '', note: String(Boolean(m.note)) },
    },
    h('div', { class: 'bubble' }, label, h('div', { class: 'body', dir: 'auto' }, linkify(m.body))),
    meta);
  }
}
