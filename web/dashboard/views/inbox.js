// A site's inbox: its conversations (open or closed), searchable on the server (inside
// messages and the visitor's name and email), kept live from the socket — new
// conversations, previews, unread counts, visitors' presence and typing — beside the open
// conversation.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { dismissNotificationOffer, enableNotifications, shouldOfferNotifications } from '../notify.js';
import { relativeTime } from '../time.js';
import { avatar, toast, visitorName } from '../ui.js';
import { conversationView } from './conversation.js';
import { labelChips, siteLabels } from './labels.js';

const PAGE = 30;
const TYPING_STALE_MS = 8000;
/** The pause after the last keystroke before the search is asked for. */
const SEARCH_DEBOUNCE_MS = 250;
/** The server's bounds on a search (pintalk_core::search): characters and words. */
const SEARCH_MAX_CHARS = 100;
const SEARCH_MAX_WORDS = 8;

/** The distinct words of a search as the server reads them: runs of letters and digits. */
function searchWords(query) {
  return new Set(query.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter(Boolean));
}

/** The newest seq the inbox knows of in a room. */
function knownSeq(room) {
  return Math.max(room.last_seq ?? 0, room.last_message?.seq ?? 0);
}

function activity(room) {
  return room.last_message?.ts ?? Date.parse(room.updated_at);
}

export function inboxView(app, params) {
  const siteId = params.site;
  const site = app.site(siteId);
  if (!site) {
    return { el: h('div', { class: 'empty-page' }, h('h1', { text: t('site.notFound') }), h('a', { href: '/sites', text: t('sites.title') })) };
  }
  /** id → RoomView, as the inbox knows it. */
  const rooms = new Map();
  /** Rooms being fetched because a frame named a room not loaded yet; their frames wait here. */
  const fetching = new Map();
  const typing = new Map();
  let tab = 'open';
  /** Whose conversations are shown: 'all', 'me' (assigned to me) or 'nobody' (unassigned). */
  let who = 'all';
  /** Only conversations with this label ('' for any). */
  let label = '';
  let cursor = null;
  let loading = false;
  let loaded = false;
  let openRoomId = null;
  let convo = null;
  const offs = [];
  /**
   * The search the list shows the answer to ('' for none), and what the server found: the
   * rooms, and per room the message that matched (shown in place of the last one).
   */
  const found = { query: '', rooms: null, matched: new Map(), cursor: null, tooManyWords: false };
  /** Counts searches, so that only the latest one's answer is shown. */
  let searchSeq = 0;
  let searchTimer = null;

  const search = h('input', { class: 'input search-input', type: 'search', maxlength: SEARCH_MAX_CHARS, placeholder: t('inbox.search'), 'aria-label': t('inbox.search') });
  const tabs = h('div', { class: 'tabs', role: 'tablist' },
    ...['open', 'closed'].map((name) => h('button', { type: 'button', role: 'tab', dataset: { tab: name }, text: name === 'open' ? t('inbox.open') : t('inbox.closed') })));
  const whoFilter = h('select', { class: 'input input-sm assignee-filter', 'aria-label': t('inbox.showWhose'), dataset: { role: 'assignee-filter' } },
    h('option', { value: 'all', text: t('inbox.all') }),
    h('option', { value: 'me', text: t('inbox.mine') }),
    h('option', { value: 'nobody', text: t('inbox.unassigned') }));
  const labelFilter = h('select', { class: 'input input-sm label-filter', 'aria-label': t('labels.filter'), dataset: { role: 'label-filter' } });
  function filtersChanged() {
    who = whoFilter.value;
    label = labelFilter.value;
    cursor = null;
    loaded = false;
    render();
    loadPage(true);
    if (search.value.trim()) searchChanged({ now: true });
  }
  whoFilter.addEventListener('change', filtersChanged);
  labelFilter.addEventListener('change', filtersChanged);
  /** The label filter's choices: the site's labels in use, and the one chosen even if gone. */
  async function loadLabels() {
    try {
      const names = await siteLabels(siteId);
      if (label && !names.includes(label)) names.push(label);
      mount(labelFilter, h('option', { value: '', text: t('labels.any') }),
        names.map((name) => h('option', { value: name, text: name, selected: name === label })));
    } catch (err) {
      toast(err.message, 'error');
    }
  }
  /** Labels changed somewhere: the choices are read again once the changes pause. */
  let labelsTimer = null;
  const labelsChanged = () => {
    clearTimeout(labelsTimer);
    labelsTimer = setTimeout(loadLabels, 500);
  };
  const listEl = h('div', { class: 'room-list', role: 'list' });
  const more = h('button', { class: 'btn btn-ghost btn-sm load-more', type: 'button', text: t('inbox.loadMore'), hidden: true });
  const offer = h('div', { class: 'notify-offer', hidden: !shouldOfferNotifications() },
    icon('bell', 18),
    h('span', { class: 'notify-text', text: t('inbox.notifyText') }),
    h('button', { class: 'btn btn-primary btn-sm', type: 'button', text: t('inbox.enable'), dataset: { action: 'enable-notifications' },
      onclick: async () => {
        await enableNotifications();
        // The browser may close its prompt undecided: the offer stays until it is decided.
        offer.hidden = !shouldOfferNotifications();
      } }),
    h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('inbox.notNow'),
      onclick: () => { offer.hidden = true; dismissNotificationOffer(); } }, icon('x', 16)));
  const pane = h('div', { class: 'convo-pane' });
  const el = h('div', { class: 'inbox' },
    h('section', { class: 'room-pane' },
      h('header', { class: 'room-pane-head' },
        h('div', { class: 'room-pane-title' },
          h('span', { class: 'site-dot', style: { background: site.widget.accent_color } }),
          h('h1', { text: site.name }),
          h('a', { class: 'icon-btn', href: `/sites/${siteId}/settings`, 'aria-label': t('inbox.siteSettings'), title: t('inbox.siteSettings') }, icon('settings', 18))),
        h('div', { class: 'room-filters' }, tabs, whoFilter, labelFilter),
        h('label', { class: 'search' }, icon('search', 16), search)),
      offer,
      h('div', { class: 'room-scroll' }, listEl, more)),
    pane);

  function rowFor(room) {
    const v = room.visitor;
    const name = visitorName(v);
    const last = (found.rooms && found.matched.get(room.id)) || room.last_message;
    const isTyping = (typing.get(room.id) ?? 0) > Date.now();
    const preview = isTyping
      ? h('span', { class: 'typing-text', text: t('inbox.typing') })
      : last
        ? [last.note ? h('span', { class: 'you note-label', text: t('inbox.note') })
          : last.sender_kind === 'owner' ? h('span', { class: 'you', text: t('inbox.you') }) : null, last.body]
        : h('span', { class: 'muted', text: t('inbox.noMessages') });
    return h('a', {
      class: `room-row${room.id === openRoomId ? ' active' : ''}${room.unread > 0 ? ' unread' : ''}`,
      href: `/sites/${siteId}/rooms/${room.id}`,
      role: 'listitem',
      dataset: { room: room.id, unread: String(room.unread), online: String(v.online) },
    },
    avatar({ id: v.id, name, online: v.online }),
    h('div', { class: 'room-main' },
      h('div', { class: 'room-top' },
        h('span', { class: 'room-name', text: name },
          v.verified && h('span', { class: 'pill pill-muted', dataset: { role: 'verified' }, text: t('inbox.verified') })),
        relativeTime(activity(room))),
      h('div', { class: 'room-bottom' },
        h('span', { class: 'room-preview' }, preview),
        labelChips(room.labels),
        room.unread > 0 && h('span', { class: 'badge', dataset: { role: 'unread' }, text: room.unread > 99 ? '99+' : String(room.unread) }),
        v.blocked && h('span', { class: 'pill pill-muted', text: t('inbox.blocked') }))));
  }

  function render() {
    for (const b of tabs.children) {
      b.classList.toggle('on', b.dataset.tab === tab);
      b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    }
    const query = found.query;
    // Says which search the list answers, once its answer is in.
    listEl.dataset.query = query;
    const shown = [...rooms.values()]
      .filter((r) => r.status === tab)
      .filter(isWhose)
      .filter((r) => !label || (r.labels ?? []).includes(label))
      .filter((r) => !found.rooms || found.rooms.has(r.id))
      .sort((a, b) => activity(b) - activity(a));
    if (shown.length) {
      mount(listEl, shown.map(rowFor));
    } else if (loaded || query) {
      const empty = found.tooManyWords ? t('inbox.searchTooManyWords', { max: SEARCH_MAX_WORDS })
        : query ? t('inbox.noMatch') : tab === 'open' ? t('inbox.noOpen') : t('inbox.noClosed');
      mount(listEl, h('div', { class: 'list-empty' },
        icon(query ? 'search' : 'inbox', 28),
        h('p', { text: empty }),
        !query && tab === 'open' && h('p', { class: 'muted small', text: t('inbox.newHere') })));
    } else {
      mount(listEl, [1, 2, 3, 4].map(() => h('div', { class: 'room-row skeleton' }, h('span', { class: 'avatar avatar-md' }), h('div', { class: 'room-main' }, h('i'), h('i')))));
    }
    more.hidden = !(found.rooms ? found.cursor : cursor);
  }

  /** Whether the assignment filter shows `room`. */
  function isWhose(room) {
    if (who === 'me') return room.assignee === app.me.id;
    if (who === 'nobody') return !room.assignee;
    return true;
  }

  /** Takes a row from the API, keeping anything newer the socket already told us. */
  function upsert(row) {
    const held = rooms.get(row.id);
    if (held && knownSeq(held) > knownSeq(row)) {
      rooms.set(row.id, { ...row, last_message: held.last_message, last_seq: held.last_seq, unread: Math.max(held.unread, row.unread) });
    } else {
      rooms.set(row.id, row);
    }
    app.rt.hold(row.id, row.last_seq);
  }

  async function loadPage(reset) {
    if (loading) return;
    loading = true;
    const wanted = tab;
    const whose = who;
    const labelled = label;
    const stale = () => wanted !== tab || whose !== who || labelled !== label;
    try {
      const query = new URLSearchParams({ status: wanted, limit: String(PAGE) });
      if (whose !== 'all') query.set('assignee', whose);
      if (labelled) query.set('label', labelled);
      if (!reset && cursor) query.set('cursor', cursor);
      const page = await api('GET', `/sites/${siteId}/rooms?${query}`);
      if (stale()) return;
      for (const row of page.rooms) upsert(row);
      cursor = page.next_cursor ?? null;
      loaded = true;
      render();
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      loading = false;
    }
    // The filter changed while this page was on its way: its answer was dropped.
    if (whose !== who || labelled !== label) loadPage(true);
  }

  /** Asks the server for the conversations matching `query` (the next page with `more`). */
  async function runSearch(query, more = false) {
    const seq = ++searchSeq;
    const wanted = tab;
    try {
      const params = new URLSearchParams({ status: wanted, limit: String(PAGE), q: query });
      if (who !== 'all') params.set('assignee', who);
      if (label) params.set('label', label);
      if (more && found.cursor) params.set('cursor', found.cursor);
      const page = await api('GET', `/sites/${siteId}/rooms?${params}`);
      if (seq !== searchSeq || wanted !== tab) return;
      const matches = more && found.rooms ? found.rooms : new Set();
      const matched = more ? found.matched : new Map();
      for (const row of page.rooms) {
        upsert(row);
        matches.add(row.id);
        if (row.matched) matched.set(row.id, row.matched);
      }
      Object.assign(found, { query, rooms: matches, matched, cursor: page.next_cursor ?? null, tooManyWords: false });
      render();
    } catch (err) {
      if (seq === searchSeq) toast(err.message, 'error');
    }
  }

  /**
   * Shows the answer to what is in the search box: asked for once typing pauses (or `now`),
   * at once when there is nothing to ask.
   */
  function searchChanged({ now = false } = {}) {
    clearTimeout(searchTimer);
    const query = search.value.trim();
    const words = searchWords(query);
    if (!query || !words.size || words.size > SEARCH_MAX_WORDS) {
      searchSeq += 1;
      Object.assign(found, query
        ? { query, rooms: new Set(), matched: new Map(), cursor: null, tooManyWords: words.size > SEARCH_MAX_WORDS }
        : { query: '', rooms: null, matched: new Map(), cursor: null, tooManyWords: false });
      render();
      return;
    }
    if (now) runSearch(query);
    else searchTimer = setTimeout(() => runSearch(query), SEARCH_DEBOUNCE_MS);
  }

  /** A frame named a room the inbox has not loaded: fetch it, then replay its frames. */
  async function fetchRoom(id, frame) {
    if (fetching.has(id)) {
      if (frame) fetching.get(id).push(frame);
      return;
    }
    fetching.set(id, frame ? [frame] : []);
    try {
      const row = await api('GET', `/rooms/${id}`);
      upsert(row);
      for (const waiting of fetching.get(id)) applyMessage(waiting);
      render();
      if (id === openRoomId && !convo) openRoom(id);
    } catch (err) {
      if (err.status !== 404) toast(err.message, 'error');
    } finally {
      fetching.delete(id);
    }
  }

  function applyMessage(m) {
    const room = rooms.get(m.room);
    if (!room || m.seq <= knownSeq(room)) return;
    room.last_message = { seq: m.seq, ts: m.ts, sender_kind: m.sender.kind, body: m.body, note: Boolean(m.note) };
    room.last_seq = m.seq;
    room.updated_at = new Date(m.ts).toISOString();
    if (m.sender.kind === 'visitor') {
      typing.delete(m.room);
      const seen = m.room === openRoomId && document.visibilityState === 'visible';
      if (!seen) room.unread += 1;
    }
  }

  function openRoom(id) {
    if (convo && openRoomId === id) return;
    convo?.destroy();
    convo = null;
    openRoomId = id;
    app.visibleRoom = id;
    el.classList.toggle('has-room', Boolean(id));
    if (!id) {
      mount(pane, h('div', { class: 'convo-empty' },
        h('div', { class: 'convo-empty-art' }, icon('chat', 34)),
        h('h2', { text: t('inbox.pick') }),
        h('p', { class: 'muted', text: t('inbox.pickText') })));
      render();
      return;
    }
    const room = rooms.get(id);
    if (!room) {
      mount(pane, h('div', { class: 'convo-empty' }, h('div', { class: 'spinner' })));
      fetchRoom(id);
      return;
    }
    convo = conversationView(app, room, {
      visitorTyping: (typing.get(id) ?? 0) > Date.now(),
      onChange(updated) {
        rooms.set(updated.id, { ...rooms.get(updated.id), ...updated });
        render();
      },
      onDelete(roomId) {
        rooms.delete(roomId);
        app.navigate(`/sites/${siteId}`, { replace: true });
      },
      onRead(roomId) {
        const r = rooms.get(roomId);
        if (r && r.unread) {
          r.unread = 0;
          render();
        }
      },
    });
    mount(pane, convo.el);
    convo.focus();
    render();
  }

  function forThisSite(frame) {
    return frame.site === siteId || rooms.has(frame.room);
  }

  offs.push(
    app.rt.on('message', (m) => {
      if (m.site !== siteId) return;
      if (!rooms.has(m.room)) {
        fetchRoom(m.room, m);
        return;
      }
      applyMessage(m);
      render();
    }),
    app.rt.on('room', (e) => {
      if (e.site !== siteId) return;
      const room = rooms.get(e.room);
      if (!room) {
        fetchRoom(e.room);
        return;
      }
      room.status = e.status;
      room.updated_at = new Date().toISOString();
      if (e.room === openRoomId) convo?.refresh({ status: e.status });
      render();
    }),
    app.rt.on('assigned', (e) => {
      if (e.site !== siteId) return;
      const room = rooms.get(e.room);
      if (!room) {
        fetchRoom(e.room);
        return;
      }
      room.assignee = e.assignee;
      if (e.room === openRoomId) convo?.refresh({ assignee: e.assignee });
      render();
    }),
    app.rt.on('labels', (e) => {
      if (e.site !== siteId) return;
      labelsChanged();
      const room = rooms.get(e.room);
      if (!room) return;
      room.labels = e.labels;
      render();
    }),
    app.rt.on('presence', (p) => {
      if (p.kind !== 'visitor' || !p.room || !forThisSite(p)) return;
      const room = rooms.get(p.room);
      if (!room) return;
      room.visitor = { ...room.visitor, online: p.online };
      render();
    }),
    app.rt.on('typing', (frame) => {
      if (frame.sender.kind !== 'visitor' || !rooms.has(frame.room)) return;
      if (frame.active) {
        typing.set(frame.room, Date.now() + TYPING_STALE_MS);
        setTimeout(render, TYPING_STALE_MS + 50);
      } else {
        typing.delete(frame.room);
      }
      render();
    }),
    app.rt.on('read', (r) => {
      // Kept on the row, so the conversation opens with its "Seen" mark.
      const room = rooms.get(r.room);
      if (room && r.reader.kind === 'visitor') room.visitor_read_seq = Math.max(room.visitor_read_seq ?? 0, r.seq);
    }),
    app.rt.on('resync', (r) => {
      if (rooms.has(r.room)) fetchRoom(r.room);
    }),
    app.rt.on('ready', (ready) => {
      // Back after a drop: conversations that started meanwhile are not in `resume`.
      if (ready.reconnected) loadPage(true);
    }),
  );

  tabs.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-tab]');
    if (!button || button.dataset.tab === tab) return;
    tab = button.dataset.tab;
    cursor = null;
    loaded = [...rooms.values()].some((r) => r.status === tab);
    render();
    loadPage(true);
    if (search.value.trim()) searchChanged({ now: true });
  });
  search.addEventListener('input', () => searchChanged());
  more.addEventListener('click', () => (found.rooms ? runSearch(found.query, true) : loadPage(false)));

  app.clearUnseen(siteId);
  loadLabels();
  render();
  loadPage(true).then(() => {
    if (openRoomId && !convo) openRoom(openRoomId);
  });
  openRoom(params.room ?? null);

  return {
    el,
    update(next) {
      if (next.site !== siteId) return false;
      openRoom(next.room ?? null);
      return true;
    },
    destroy() {
      clearTimeout(searchTimer);
      clearTimeout(labelsTimer);
      convo?.destroy();
      if (app.visibleRoom === openRoomId) app.visibleRoom = null;
      for (const off of offs) off();
    },
  };
}
