// One conversation: its header and actions (close or reopen, transcript, block or
// unblock, the visitor's export and erasure), the message list with history loading upward, live frames, typing both ways,
// read marks, and the composer.

import { t } from '../i18n.js';
import { api, download } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { avatar, busy, confirmDialog, menuButton, toast, visitorName } from '../ui.js';
import { cannedPicker } from './canned-replies.js';
import { labelBar } from './labels.js';
import { ratingLine } from './ratings.js';
import { visitorPanel } from './visitor-context.js';
import { MessageList } from './message-list.js';

const PAGE = 50;
/** Send `typing: true` again at most this often while the owner keeps typing. */
const TYPING_REPEAT_MS = 3000;
/** `typing: false` after this long without a keystroke. */
const TYPING_IDLE_MS = 4000;
/** A visitor's typing indicator goes away by itself after this long without news. */
const TYPING_STALE_MS = 8000;
/** The length counter shows once a reply is this share of the limit. */
const COUNTER_FROM = 0.9;

/** Characters as the server counts them (code points, not UTF-16 units). */
const chars = (text) => [...text].length;

/**
 * `room` is the inbox's RoomView; `onChange(room)` tells the inbox of status or blocking
 * changes; `onRead(roomId)` that the owner has now read everything in it; `onDelete(roomId)`
 * that it was deleted;
 * `visitorTyping` whether the visitor was typing when it opened.
 */
export function conversationView(app, room, { onChange, onRead, onDelete, visitorTyping = false }) {
  const rt = app.rt;
  const offs = [];
  let readSent = 0;
  let typingOn = false;
  /** Whether the typing announced is of a note (heard by members only). */
  let typingNote = false;
  let typingSentAt = 0;
  let typingIdle = null;
  let visitorTypingTimer = null;
  let destroyed = false;

  const list = new MessageList({
    visitorLabel: visitorName(room.visitor),
    onNeedOlder: loadOlder,
    onRetry: (cid) => {
      const frame = pendingFrames.get(cid);
      if (!frame) return;
      list.retry(cid);
      rt.resend(frame);
    },
  });
  /** cid → send frame, for retrying a failed send. */
  const pendingFrames = new Map();
  list.setVisitorRead(room.visitor_read_seq ?? 0);

  const head = h('header', { class: 'convo-head' });
  const footer = h('footer', { class: 'convo-foot' });
  const input = h('textarea', {
    class: 'composer-input', rows: '1', placeholder: t('convo.writeReply'),
    'aria-label': t('convo.reply'), dataset: { role: 'composer' },
  });
  const sendButton = h('button', { class: 'send-btn', type: 'button', 'aria-label': t('convo.send'), title: t('convo.sendEnter'), dataset: { action: 'send' } }, icon('send', 18));
  const counter = h('span', { class: 'composer-count', 'aria-live': 'polite', hidden: true, dataset: { role: 'counter' } });
  // Reply or internal note: the mode the next send and its typing go out in.
  let noteMode = false;
  const modeButton = (note, label) => h('button', {
    class: 'mode-btn', type: 'button', text: label, 'aria-pressed': String(note === noteMode),
    dataset: { action: note ? 'note-mode' : 'reply-mode' },
    onclick: () => setNoteMode(note),
  });
  const modes = h('div', { class: 'composer-modes', role: 'group', 'aria-label': t('convo.composeAs') },
    modeButton(false, t('convo.reply')), modeButton(true, t('convo.note')));
  const picker = cannedPicker(input, () => ({
    'visitor.name': room.visitor.name,
    'visitor.email': room.visitor.email,
    'agent.name': app.me.name,
    'site.name': app.site(room.site_id)?.name,
  }));
  const composer = h('div', { class: 'composer' },
    modes, picker.el, input, sendButton,
    h('div', { class: 'composer-hint muted' }, h('span', { text: t('convo.hint') }), counter));
  // Labels live in their own bar: a change redraws neither the head nor the composer.
  const labels = labelBar(room, { onChange: (updated) => setLabels(updated.labels) });
  function setLabels(next) {
    room = { ...room, labels: next };
    labels.set(next);
    onChange(room);
  }
  // The visitor's rating, once the closed conversation has one.
  const rating = h('div', { class: 'convo-rating-slot' });
  const renderRating = () => mount(rating, ratingLine(room.rating));
  const context = visitorPanel(room.visitor.context);
  const el = h('section', { class: 'convo', dataset: { room: room.id } }, head, labels.el, rating, context.el, list.el, footer);

  function renderHead() {
    const v = room.visitor;
    const name = visitorName(v);
    const closed = room.status === 'closed';
    const statusButton = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: closed ? 'reopen' : 'close' } },
      icon(closed ? 'undo' : 'archive', 16), h('span', { text: closed ? t('convo.reopen') : t('convo.close') }));
    statusButton.addEventListener('click', () => busy(statusButton, async () => {
      const updated = await api('PATCH', `/rooms/${room.id}`, { body: { status: closed ? 'open' : 'closed' } });
      applyRoom(updated);
      toast(closed ? t('convo.reopened') : t('convo.closed'));
    }));
    const menu = h('details', { class: 'menu' },
      h('summary', { class: 'btn btn-ghost btn-sm', 'aria-label': t('convo.more'), dataset: { action: 'more' } }, h('span', { text: '•••' })),
      h('div', { class: 'menu-list', role: 'menu' },
        menuItem('download', t('convo.transcriptText'), 'transcript-text', () => transcript('text')),
        menuItem('download', t('convo.transcriptJson'), 'transcript-json', () => transcript('json')),
        menuItem('download', t('convo.exportVisitor'), 'export-visitor', exportVisitor),
        h('hr'),
        v.blocked
          ? menuItem('undo', t('convo.unblock'), 'unblock', unblock)
          : menuItem('ban', t('convo.block'), 'block', block, true),
        menuItem('trash', t('convo.eraseVisitor'), 'erase-visitor', eraseVisitor, true),
        menuItem('trash', t('convo.delete'), 'delete', remove, true)));
    // Assignment: today a workspace's one member is its owner, so "assign to me" and
    // "unassign" are the whole choice; the `assigned` frame keeps every tab in step.
    const mine = room.assignee === app.me.id;
    const assignButton = h('button', {
      class: 'btn btn-ghost btn-sm', type: 'button', 'aria-pressed': String(mine),
      dataset: { action: mine ? 'unassign' : 'assign-me' },
    }, icon('user', 16), h('span', { text: mine ? t('convo.unassign') : t('convo.assignMe') }));
    assignButton.addEventListener('click', () => busy(assignButton, async () => {
      applyRoom(await api('PUT', `/rooms/${room.id}/assignee`, { body: { assignee: mine ? null : app.me.id } }));
    }));
    menuButton(menu);
    mount(head,
      h('a', { class: 'icon-btn back-btn', href: `/sites/${room.site_id}`, 'aria-label': t('convo.back') }, icon('back')),
      avatar({ id: v.id, name, online: v.online }),
      h('div', { class: 'convo-title' },
        h('h2', { text: name },
          v.verified && h('span', { class: 'pill pill-muted', dataset: { role: 'verified' }, title: t('convo.verifiedTitle', { id: v.user_id }), text: t('inbox.verified') })),
        h('p', { class: 'muted small' },
          h('span', { class: `presence-text ${v.online ? 'online' : ''}`, dataset: { online: String(v.online) }, text: v.online ? t('ui.onlineNow') : t('ui.offline') }),
          v.email && v.email !== name ? ` · ${v.email}` : '',
          closed ? ` · ${t('inbox.closed')}` : '',
          v.blocked ? ` · ${t('inbox.blocked')}` : '',
          h('span', { dataset: { role: 'assignee' }, text: mine ? ` · ${t('convo.assignedToYou')}` : room.assignee ? ` · ${t('convo.assigned')}` : ` · ${t('convo.unassigned')}` }))),
      h('div', { class: 'convo-actions' }, assignButton, statusButton, menu));
  }

  function menuItem(iconName, label, action, fn, danger = false) {
    return h('button', {
      type: 'button', role: 'menuitem', class: `menu-item${danger ? ' danger' : ''}`, dataset: { action },
      onclick: (event) => {
        const menu = event.currentTarget.closest('details');
        menu.open = false;
        menu.querySelector('summary').focus();
        fn();
      },
    }, icon(iconName, 16), h('span', { text: label }));
  }

  function renderFooter() {
    if (room.visitor.blocked) {
      const again = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', text: t('convo.unblock'), dataset: { action: 'unblock-footer' } });
      again.addEventListener('click', () => busy(again, unblock));
      mount(footer, h('div', { class: 'convo-note' }, icon('ban', 16), h('span', { text: t('convo.youBlocked') }), again));
    } else if (room.status === 'closed') {
      const reopen = h('button', { class: 'btn btn-primary btn-sm', type: 'button', text: t('convo.reopenToReply'), dataset: { action: 'reopen-footer' } });
      reopen.addEventListener('click', () => busy(reopen, async () => {
        applyRoom(await api('PATCH', `/rooms/${room.id}`, { body: { status: 'open' } }));
      }));
      mount(footer, h('div', { class: 'convo-note' }, icon('archive', 16), h('span', { text: t('convo.closedNote') }), reopen));
    } else {
      mount(footer, composer);
    }
  }

  function applyRoom(updated) {
    room = { ...room, ...updated, visitor: { ...room.visitor, ...updated.visitor } };
    renderHead();
    renderFooter();
    onChange(room);
  }

  async function transcript(format) {
    try {
      await download(`/rooms/${room.id}/transcript?format=${format}`, `transcript-${room.id}.${format === 'json' ? 'json' : 'txt'}`);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function block() {
    const ok = await confirmDialog({
      title: t('convo.blockTitle', { name: visitorName(room.visitor) }),
      message: t('convo.blockText'),
      confirmLabel: t('convo.block'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api('POST', `/rooms/${room.id}/block`);
      applyRoom({ visitor: { ...room.visitor, blocked: true, online: false } });
      toast(t('convo.visitorBlocked'));
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  /** Lets the visitor start a chat again; no confirmation, it is undone by blocking. */
  async function unblock() {
    try {
      await api('DELETE', `/rooms/${room.id}/block`);
      applyRoom({ visitor: { ...room.visitor, blocked: false } });
      toast(t('convo.visitorUnblocked'));
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  /** Everything PinTalk holds on the visitor, as a JSON file (docs/privacy.md). */
  async function exportVisitor() {
    try {
      await download(`/rooms/${room.id}/visitor/export`, `pintalk-visitor-${room.visitor.id}.json`);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  /** Erases the visitor and every conversation of theirs; their chat closes at once. */
  async function eraseVisitor() {
    const ok = await confirmDialog({
      title: t('convo.eraseTitle', { name: visitorName(room.visitor) }),
      message: t('convo.eraseText'),
      confirmLabel: t('convo.eraseVisitor'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api('DELETE', `/rooms/${room.id}/visitor`);
      toast(t('convo.visitorErased'));
      onDelete(room.id);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function remove() {
    const ok = await confirmDialog({
      title: t('convo.deleteTitle'),
      message: t('convo.deleteText'),
      confirmLabel: t('convo.delete'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api('DELETE', `/rooms/${room.id}`);
      toast(t('convo.deleted'));
      onDelete(room.id);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  /** Read marks: everything on screen is read once the owner can see it. */
  function markRead() {
    if (destroyed || document.visibilityState !== 'visible') return;
    const max = list.maxSeq();
    if (max > readSent && rt.read(room.id, max)) {
      readSent = max;
      onRead(room.id);
    }
  }

  async function loadOlder() {
    const before = list.minSeq();
    if (!before) return;
    list.setLoadingOlder(true);
    try {
      const page = await api('GET', `/rooms/${room.id}/messages?before_seq=${before}&limit=${PAGE}`);
      if (!destroyed) list.addHistory(page.messages, page.has_more);
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      list.setLoadingOlder(false);
    }
  }

  async function loadNewest(limit, apply) {
    try {
      const page = await api('GET', `/rooms/${room.id}/messages?limit=${limit}`);
      if (destroyed) return;
      apply(page);
      rt.hold(room.id, list.maxSeq(), page.epoch);
      markRead();
    } catch (err) {
      if (!destroyed) toast(err.message, 'error');
    }
  }

  /** Shows the length near the limit; a reply over it is refused (never cut). */
  function measure() {
    const used = chars(input.value);
    const max = rt.maxBodyChars;
    const over = used > max;
    counter.hidden = used < max * COUNTER_FROM;
    counter.textContent = over ? t('convo.tooLong', { n: used - max }) : `${used} / ${max}`;
    counter.classList.toggle('over', over);
    input.setAttribute('aria-invalid', String(over));
    sendButton.disabled = over;
    return !over;
  }

  /** Switches the composer between replying to the visitor and writing a note for the team. */
  function setNoteMode(note) {
    if (note === noteMode) return;
    stopTyping();
    noteMode = note;
    for (const b of modes.children) b.setAttribute('aria-pressed', String((b.dataset.action === 'note-mode') === note));
    composer.classList.toggle('note-mode', note);
    input.placeholder = note ? t('convo.writeNote') : t('convo.writeReply');
    input.setAttribute('aria-label', note ? t('convo.note') : t('convo.reply'));
    input.focus();
  }

  function send() {
    const body = input.value;
    if (!body.trim() || !measure()) return;
    const note = noteMode;
    const cid = rt.send(room.id, body, { note });
    const frame = { type: 'send', room: room.id, body, cid, ...(note && { note: true }) };
    pendingFrames.set(cid, frame);
    list.addPending(frame);
    input.value = '';
    autosize();
    measure();
    stopTyping();
    input.focus();
  }

  function stopTyping() {
    clearTimeout(typingIdle);
    if (typingOn) rt.typing(room.id, false, { note: typingNote });
    typingOn = false;
  }

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  input.addEventListener('keydown', (event) => {
    // The canned-reply picker, when open, takes ↑/↓, Enter, Tab and Escape first.
    if (picker.keydown(event)) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === 'KeyN') {
      event.preventDefault();
      setNoteMode(!noteMode);
      return;
    }
    // keyCode 229: an IME is still composing (some browsers report isComposing late).
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => {
    autosize();
    measure();
    if (!input.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (!typingOn || now - typingSentAt > TYPING_REPEAT_MS) {
      typingNote = noteMode;
      rt.typing(room.id, true, { note: typingNote });
      typingOn = true;
      typingSentAt = now;
    }
    clearTimeout(typingIdle);
    typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
  });
  input.addEventListener('blur', stopTyping);
  sendButton.addEventListener('click', send);

  const mine = (frame) => frame.room === room.id;
  offs.push(
    rt.on('message', (m) => {
      if (!mine(m)) return;
      if (m.sender.kind === 'owner') pendingFrames.delete(m.cid);
      if (m.sender.kind === 'visitor') setVisitorTyping(false);
      list.addLive(m);
      markRead();
    }),
    rt.on('ack', (a) => {
      if (!mine(a)) return;
      pendingFrames.delete(a.cid);
      list.confirm(a.cid, a.seq, a.ts, { kind: 'owner', id: app.me.id, name: app.me.name });
      markRead();
    }),
    rt.on('send-failed', (e) => {
      if (!mine(e)) return;
      list.fail(e.cid, e.message);
    }),
    rt.on('typing', (frame) => {
      if (mine(frame) && frame.sender.kind === 'visitor') setVisitorTyping(frame.active);
    }),
    rt.on('read', (r) => {
      if (mine(r) && r.reader.kind === 'visitor') list.setVisitorRead(r.seq);
    }),
    rt.on('presence', (p) => {
      if (p.room === room.id && p.kind === 'visitor') {
        room.visitor.online = p.online;
        renderHead();
      }
    }),
    rt.on('room', (e) => {
      if (mine(e) && e.status !== room.status) applyRoom({ status: e.status });
    }),
    rt.on('assigned', (e) => {
      if (mine(e) && e.assignee !== room.assignee) applyRoom({ assignee: e.assignee });
    }),
    rt.on('labels', (e) => {
      if (mine(e)) setLabels(e.labels);
    }),
    rt.on('visitor', (e) => {
      if (!mine(e)) return;
      room = { ...room, visitor: { ...room.visitor, context: e.context } };
      context.set(e.context);
      onChange(room);
    }),
    rt.on('rated', (e) => {
      if (!mine(e)) return;
      room = { ...room, rating: { score: e.score, comment: e.comment ?? null, rated_at: new Date().toISOString() } };
      renderRating();
      onChange(room);
    }),
    rt.on('resync', (r) => {
      if (mine(r)) loadNewest(200, (page) => list.replaceNewest(page.messages, page.has_more, r.after_seq));
    }),
    rt.on('ready', markRead),
  );
  const onVisible = () => markRead();
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('focus', onVisible);

  function setVisitorTyping(active) {
    clearTimeout(visitorTypingTimer);
    list.setTyping(active);
    if (active) visitorTypingTimer = setTimeout(() => list.setTyping(false), TYPING_STALE_MS);
  }

  renderHead();
  renderFooter();
  renderRating();
  if (visitorTyping) setVisitorTyping(true);
  loadNewest(PAGE, (page) => list.addHistory(page.messages, page.has_more, { initial: true }));

  return {
    el,
    room: () => room,
    /** The inbox learned something newer about this room (e.g. the visitor came online). */
    refresh(updated) {
      room = { ...room, ...updated, visitor: { ...room.visitor, ...updated.visitor } };
      renderHead();
      renderFooter();
    },
    focus() {
      if (!room.visitor.blocked && room.status !== 'closed') input.focus({ preventScroll: true });
    },
    destroy() {
      destroyed = true;
      stopTyping();
      clearTimeout(visitorTypingTimer);
      for (const off of offs) off();
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    },
  };
}
