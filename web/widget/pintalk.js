/*! PinTalk widget 0.1.0 | AGPL-3.0-or-later */
// The chat a visitor sees: one <script> tag, no dependencies, everything inside a Shadow
// DOM. Before the visitor interacts it makes one request (the site's widget config); the
// conversation (a session ticket, then the WebSocket of docs/protocol.md) starts when the
// panel is first opened, or when messages queued on an earlier visit wait to be sent.
//
// One file on purpose: it is served as is at /widget.js (no build step), so it is laid out
// in sections — strings, look, state, the command API, the UI, messages, the connection.
// It is also a valid ES module (pintalk.mjs imports it): strict, and never uses `this`.
(() => {
  'use strict';
  if (typeof window === 'undefined' || !window.document) return;
  const w = window;
  const d = document;
  const prior = w.PinTalk;
  if (prior && prior.loaded) return;

  /** How many messages of an existing conversation are shown when it is reopened. */
  const HISTORY = 50;
  /** The protocol's limit on a message body. */
  const MAX_BODY = 4000;

  const STRINGS = {
    en: {
      open: 'Open chat',
      close: 'Close chat',
      unread: '{n} unread',
      input: 'Write a message…',
      send: 'Send',
      online: 'Online',
      away: 'Away',
      connecting: 'Connecting…',
      reconnecting: 'Reconnecting…',
      blocked: 'This conversation has been closed.',
      unavailable: 'Chat is unavailable right now.',
      typing: '{name} is typing…',
      typingAnon: 'Typing…',
      seen: 'Seen',
      sending: 'Sending…',
      failed: 'Not sent',
      today: 'Today',
      yesterday: 'Yesterday',
      messages: 'Messages',
    },
    ko: {
      open: '채팅 열기',
      close: '채팅 닫기',
      unread: '읽지 않은 메시지 {n}개',
      input: '메시지를 입력하세요…',
      send: '보내기',
      online: '온라인',
      away: '자리 비움',
      connecting: '연결 중…',
      reconnecting: '다시 연결 중…',
      blocked: '이 상담은 종료되었습니다.',
      unavailable: '지금은 채팅을 이용할 수 없습니다.',
      typing: '{name} 님이 입력 중…',
      typingAnon: '입력 중…',
      seen: '읽음',
      sending: '보내는 중…',
      failed: '전송 실패',
      today: '오늘',
      yesterday: '어제',
      messages: '메시지',
    },
  };

  const CSS =
    ':host{all:initial}*{box-sizing:border-box}[hidden]{display:none!important}' +
    '.pt{--a:#4f46e5;--on:#fff;position:fixed;bottom:20px;right:20px;z-index:2147483000;color:#1f2330;' +
    'font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans KR","Apple SD Gothic Neo",sans-serif;' +
    '-webkit-font-smoothing:antialiased}.l{right:auto;left:20px}' +
    'button{font:inherit;cursor:pointer;color:inherit}svg{width:22px;height:22px;fill:none;stroke:currentColor;' +
    'stroke-width:2;stroke-linecap:round;stroke-linejoin:round}:focus-visible{outline:2px solid var(--a);outline-offset:2px}' +
    '[data-pt=launcher]{position:relative;display:grid;place-items:center;width:58px;height:58px;border:0;' +
    'border-radius:50%;background:var(--a);color:var(--on);box-shadow:0 8px 24px rgba(17,24,39,.24);transition:transform .2s}' +
    '[data-pt=launcher]:hover{transform:scale(1.06)}[data-pt=launcher] svg{width:26px;height:26px}' +
    '.o [data-pt=launcher] .ic,.pt:not(.o) [data-pt=launcher] .ix{display:none}' +
    '[data-pt=badge]{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;' +
    'background:#e11d48;color:#fff;font-size:12px;font-weight:600;line-height:20px;text-align:center;box-shadow:0 0 0 2px #fff}' +
    '[data-pt=panel]{position:absolute;bottom:74px;right:0;display:flex;flex-direction:column;width:372px;' +
    'height:min(620px,calc(100vh - 120px));background:#fff;border-radius:18px;overflow:hidden;' +
    'box-shadow:0 16px 48px rgba(17,24,39,.2),0 0 0 1px rgba(17,24,39,.05);animation:pt-in .2s ease-out}' +
    '.l [data-pt=panel]{right:auto;left:0}@keyframes pt-in{from{opacity:0;transform:translateY(12px) scale(.98)}}' +
    'header{display:flex;align-items:center;gap:8px;padding:18px 12px 18px 20px;background:var(--a);color:var(--on)}' +
    '.hd{flex:1;min-width:0}h2{margin:0;font-size:17px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}' +
    '[data-pt=status]{display:flex;align-items:center;gap:6px;margin:3px 0 0;font-size:12.5px;opacity:.92}' +
    '[data-pt=status] i{width:8px;height:8px;border-radius:50%;background:#9ca3af;box-shadow:0 0 0 2px rgba(255,255,255,.45)}' +
    '[data-pt=status][data-online=true] i{background:#22c55e}' +
    '.x{display:grid;place-items:center;width:36px;height:36px;border:0;border-radius:10px;background:none;opacity:.85}' +
    '.x:hover{opacity:1;background:rgba(255,255,255,.16)}' +
    '[data-pt=connection]{padding:6px 12px;font-size:12px;text-align:center;background:#fef3c7;color:#92400e}' +
    '[data-pt=connection]:empty{display:none}[data-pt=connection][data-state=offline]{background:#fee2e2;color:#991b1b}' +
    '[data-pt=away]{margin:0;padding:10px 20px;font-size:13px;color:#4b5563;background:#f3f4f6;border-bottom:1px solid #e8e9ee}' +
    '[data-pt=messages]{flex:1;display:flex;flex-direction:column;gap:4px;padding:16px 14px;overflow-y:auto;' +
    'overscroll-behavior:contain;background:#f7f7fa}' +
    '[data-pt=message],.g{display:flex;flex-direction:column;align-items:flex-start;max-width:80%;margin-top:4px}' +
    '[data-mine=true]{align-self:flex-end;align-items:flex-end}' +
    '[data-pt=body],.g{padding:9px 13px;border-radius:18px 18px 18px 6px;background:#fff;' +
    'box-shadow:0 1px 2px rgba(17,24,39,.07);white-space:pre-wrap;overflow-wrap:anywhere}' +
    '[data-mine=true] [data-pt=body]{background:var(--a);color:var(--on);border-radius:18px 18px 6px 18px}' +
    '[data-pending=true] [data-pt=body]{opacity:.65}[data-failed] [data-pt=body]{background:#fee2e2;color:#991b1b}' +
    '[data-pt=body] a{color:inherit;text-decoration:underline}' +
    '.m{display:flex;gap:6px;margin:3px 6px 0;font-size:11px;color:#8b90a0}[data-pt=seen]{color:#4b5563;font-weight:500}' +
    '.day{align-self:center;margin:10px 0 4px;padding:2px 10px;border-radius:10px;font-size:11px;color:#6b7280;background:#ebecf1}' +
    '[data-pt=typing]{display:flex;align-items:center;gap:8px;padding:2px 20px 8px;font-size:12px;color:#6b7280;background:#f7f7fa}' +
    '.dots{display:inline-flex;gap:3px}.dots i{width:5px;height:5px;border-radius:50%;background:#9ca3af;animation:pt-b 1.2s infinite}' +
    '.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}' +
    '@keyframes pt-b{30%{transform:translateY(-3px);opacity:1}0%,60%,to{opacity:.5}}' +
    'form{display:flex;align-items:flex-end;gap:8px;margin:0;padding:12px;border-top:1px solid #eceef2;background:#fff}' +
    'textarea{flex:1;max-height:120px;padding:9px 14px;border:1px solid transparent;border-radius:20px;outline:0;resize:none;' +
    'background:#f3f4f7;font:inherit;color:inherit;transition:background .15s,border-color .15s}' +
    'textarea:focus{background:#fff;border-color:var(--a)}textarea:focus-visible{outline:0}textarea:disabled{opacity:.6}' +
    '[data-pt=send]{display:grid;place-items:center;flex:none;width:38px;height:38px;border:0;border-radius:50%;' +
    'background:var(--a);color:var(--on)}[data-pt=send]:disabled{opacity:.35;cursor:default}[data-pt=send] svg{width:18px;height:18px}' +
    '@media (max-width:480px){.o{inset:0}.o [data-pt=panel]{inset:0;width:auto;height:auto;border-radius:0}.o [data-pt=launcher]{display:none}}' +
    '@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}';

  // Static markup only: nothing from the site, the server or the visitor is ever put in
  // as HTML; text goes in with textContent once the tree exists.
  const HTML =
    '<div class="pt"><div data-pt="panel" id="p" role="dialog" aria-labelledby="t" hidden>' +
    '<header><div class="hd"><h2 id="t"></h2><p data-pt="status" data-online="false"><i></i><span></span></p></div>' +
    '<button class="x" type="button"><svg viewBox="0 0 24 24"><path d="M6 6l12 12M18 6L6 18"/></svg></button></header>' +
    '<div data-pt="connection" data-state="offline" role="status"></div><p data-pt="away" hidden></p>' +
    '<div data-pt="messages" role="log" aria-live="polite" tabindex="0"><div class="g"></div></div>' +
    '<div data-pt="typing" hidden><span class="dots"><i></i><i></i><i></i></span><span></span></div>' +
    '<form><textarea data-pt="input" rows="1"></textarea><button data-pt="send" type="submit" disabled>' +
    '<svg viewBox="0 0 24 24"><path d="M5 12h13M13 6l6 6-6 6"/></svg></button></form></div>' +
    '<button data-pt="launcher" type="button" aria-expanded="false" aria-controls="p">' +
    '<svg class="ic" viewBox="0 0 24 24"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>' +
    '<svg class="ix" viewBox="0 0 24 24"><path d="M6 9l6 6 6-6"/></svg><span data-pt="badge" hidden></span></button></div>';

  // ---- state --------------------------------------------------------------------------

  const S = {
    key: '', // the site key
    base: '', // the origin that serves the widget and the API
    saved: { outbox: [] }, // what localStorage keeps: visitor id/secret, outbox, identity, read
    cfg: null, // the site's widget config
    lang: '', // set by PinTalk('locale'); else the config's language
    failed: false, // the config or the session was refused: no chat here
    open: false,
    wantOpen: false, // PinTalk('open') before the UI exists
    shown: true,
    wanted: false, // the visitor needs the conversation: keep a socket up
    blocked: false,
    gen: 0, // bumped by reset, so answers to older requests are ignored
    ws: null,
    ready: false,
    connecting: false,
    attempt: 0, // reconnects since the last `ready`, for the back-off
    room: '',
    token: '',
    baseSeq: -1, // the room's last seq when this page loaded it: up to here is history
    held: 0, // the highest seq received in a `message` frame: where to resume from
    epoch: null, // the numbering those seqs belong to, once a frame or page said
    seenUpto: 0, // the visitor has seen (panel open, page visible) up to here
    readSent: 0,
    ownerRead: 0,
    ownerOnline: false,
    unread: 0,
    msgs: new Map(), // seq -> its element
    pending: new Map(), // cid -> the element of a message not acked yet
    typingAt: 0, // when the visitor's last `typing: true` went out
    typing: false,
    loading: false, // an HTTP history page is on its way
    noHttp: false, // HTTP history failed at the network level (no CORS answer): don't retry
    heard: 0, // when the socket last received a frame
    readyData: null,
    // timers
    retryTimer: 0,
    authTimer: 0,
    pingTimer: 0,
    typingIdle: 0,
    ownerTypingTimer: 0,
  };
  let ui = null;
  const handlers = {};
  const early = []; // commands given before `init`

  const t = () => STRINGS[S.lang] || STRINGS[S.cfg && S.cfg.language] || STRINGS.en;
  const lang = () => S.lang || (S.cfg && S.cfg.language) || 'en';

  function emit(name, data) {
    for (const fn of handlers[name] || []) {
      try {
        fn(data);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  // ---- storage: visitor id and secret, outbox, identity, read cursor ---------------------

  const storeKey = () => 'pintalk:' + S.key;

  function load() {
    try {
      const v = JSON.parse(w.localStorage.getItem(storeKey()));
      if (v && typeof v === 'object') {
        if (!Array.isArray(v.outbox)) v.outbox = [];
        return v;
      }
    } catch (e) {}
    return { outbox: [] };
  }

  function save() {
    try {
      w.localStorage.setItem(storeKey(), JSON.stringify(S.saved));
    } catch (e) {}
  }

  // ---- the command API: PinTalk('open'), PinTalk('on', 'message', fn), … ----------------

  const commands = {
    init(o) {
      if (S.key || !o || !o.siteKey) return;
      S.key = String(o.siteKey);
      S.base = String(o.base || '').replace(/\/+$/, '');
      S.saved = load();
      early.splice(0).forEach(run);
      later(boot);
    },
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!(ui ? S.open : S.wantOpen)),
    show: () => shown(true),
    hide: () => shown(false),
    // Sent with the next session request, so the owner sees who they talk to.
    identify(who) {
      if (!who || typeof who !== 'object') return;
      const text = (v, max) => (v == null ? null : String(v).slice(0, max));
      S.saved.identity = { name: text(who.name, 100), email: text(who.email, 254) };
      save();
    },
    on(name, fn) {
      if (typeof fn !== 'function') return;
      (handlers[name] = handlers[name] || []).push(fn);
      if (name === 'ready' && S.readyData) fn(S.readyData);
    },
    off(name, fn) {
      handlers[name] = (handlers[name] || []).filter((f) => f !== fn);
    },
    locale(l) {
      S.lang = STRINGS[l] ? l : 'en';
      if (ui) applyStrings();
    },
    reset: () => reset(),
  };

  function run(args) {
    const [name, ...rest] = args;
    if (!S.key && name !== 'init') {
      early.push(args);
      return;
    }
    if (commands[name]) commands[name](...rest);
    else if (w.console) console.warn('PinTalk: unknown command', name);
  }

  const api = (...args) => run(args);
  api.loaded = true;
  api.version = '0.1.0';

  // Runs fn once the page has parsed and is idle, so the host page renders first.
  function later(fn) {
    const go = () => (w.requestIdleCallback ? w.requestIdleCallback(fn, { timeout: 1500 }) : setTimeout(fn, 1));
    if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', go, { once: true });
    else go();
  }

  // ---- boot: the config, then the UI ------------------------------------------------------

  async function boot() {
    const gen = S.gen;
    let cfg;
    try {
      const res = await fetch(`${S.base}/api/v1/widget/config?site_key=${encodeURIComponent(S.key)}`, { credentials: 'omit' });
      cfg = await res.json();
      if (!res.ok) throw cfg;
    } catch (e) {
      // A refused origin gets no CORS headers, so the browser hides why: a failed fetch.
      S.failed = true;
      emit('error', {
        code: (e && e.error) || 'unavailable',
        message: (e && e.message) || 'the chat could not load its settings (origin not allowed, site not live, unknown key, or network)',
      });
      return;
    }
    if (gen !== S.gen || ui) return;
    S.cfg = cfg;
    S.ownerOnline = !!cfg.owner_online;
    mount();
    S.readyData = {
      siteId: cfg.site_id,
      ownerOnline: S.ownerOnline,
      visitorId: S.saved.visitor_id || null,
      identity: S.saved.identity || null,
    };
    emit('ready', S.readyData);
    if (S.wantOpen) setOpen(true);
    else if (S.saved.outbox.length) want();
  }

  function el(tag, attrs, text) {
    const e = d.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  // ---- the UI -----------------------------------------------------------------------------

  function mount() {
    const host = el('div', { id: 'pintalk-widget' });
    const root = host.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${CSS}</style>${HTML}`;
    const q = (s) => root.querySelector(s);
    const pt = (name) => q(`[data-pt=${name}]`);
    ui = {
      host,
      root: q('.pt'),
      panel: pt('panel'),
      title: q('h2'),
      status: pt('status'),
      closer: q('.x'),
      conn: pt('connection'),
      away: pt('away'),
      log: pt('messages'),
      greet: q('.g'),
      typing: pt('typing'),
      form: q('form'),
      input: pt('input'),
      send: pt('send'),
      launcher: pt('launcher'),
      badge: pt('badge'),
    };
    const cfg = S.cfg;
    if (/^#[0-9a-f]{6}$/i.test(cfg.accent_color || '')) {
      ui.root.style.setProperty('--a', cfg.accent_color);
      ui.root.style.setProperty('--on', onAccent(cfg.accent_color));
    }
    if (cfg.position === 'left') ui.root.classList.add('l');
    ui.title.textContent = cfg.title || '';
    ui.greet.textContent = cfg.greeting || '';
    ui.greet.hidden = !cfg.greeting;
    ui.status.hidden = !cfg.show_owner_status;
    ui.input.maxLength = MAX_BODY;
    shown(S.shown);

    ui.launcher.addEventListener('click', () => setOpen(!S.open, true));
    ui.closer.addEventListener('click', () => setOpen(false, true));
    ui.panel.addEventListener('keydown', (e) => e.key === 'Escape' && setOpen(false, true));
    ui.form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit();
    });
    ui.input.addEventListener('keydown', (e) => {
      // Enter sends, Shift+Enter is a newline; the Enter that ends an IME composition is not a send.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submit();
      }
    });
    ui.input.addEventListener('input', typed);
    ui.log.addEventListener('scroll', () => ui.log.scrollTop < 40 && older());
    d.addEventListener('visibilitychange', markRead);
    w.addEventListener('online', () => {
      if (S.wanted && !S.ws && !S.connecting) {
        S.attempt = 0;
        connect();
      }
    });
    // The browser may keep a dead socket open for a long while; the network said it is gone.
    w.addEventListener('offline', () => S.ws && lost(1006));

    S.saved.outbox.forEach(pendingEl);
    applyStrings();
    d.body.appendChild(host);
  }

  /** Dark or white text, whichever reads better on the accent colour. */
  function onAccent(hex) {
    const n = parseInt(hex.slice(1), 16);
    const luma = (0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
    return luma > 0.62 ? '#111827' : '#fff';
  }

  function applyStrings() {
    const s = t();
    ui.panel.setAttribute('lang', lang());
    ui.closer.setAttribute('aria-label', s.close);
    ui.log.setAttribute('aria-label', s.messages);
    ui.input.placeholder = s.input;
    ui.input.setAttribute('aria-label', s.input);
    ui.send.setAttribute('aria-label', s.send);
    ui.send.title = s.send;
    setOwner(S.ownerOnline);
    setConn(ui.conn.dataset.state);
    setLauncherLabel();
    for (const m of ui.log.querySelectorAll('[data-pt=message]')) {
      m.querySelector('time').textContent = clock(+m.dataset.ts);
      const st = m.querySelector('.st');
      if (st) st.textContent = m.hasAttribute('data-failed') ? s.failed : s.sending;
      const seen = m.querySelector('[data-pt=seen]');
      if (seen) seen.textContent = s.seen;
    }
    for (const sep of ui.log.querySelectorAll('.day')) sep.textContent = dayLabel(+sep.dataset.day);
  }

  function setLauncherLabel() {
    const s = t();
    const label = S.open ? s.close : s.open;
    ui.launcher.setAttribute('aria-label', S.unread ? `${label} (${s.unread.replace('{n}', S.unread)})` : label);
  }

  function shown(yes) {
    S.shown = yes;
    if (ui) ui.host.style.display = yes ? '' : 'none';
  }

  function setOpen(open, byUser) {
    if (!ui) {
      S.wantOpen = open;
      return;
    }
    if (open === S.open) return;
    S.open = open;
    ui.panel.hidden = !open;
    ui.root.classList.toggle('o', open);
    ui.launcher.setAttribute('aria-expanded', String(open));
    setLauncherLabel();
    if (open) {
      want();
      toBottom();
      markRead();
      if (byUser) ui.input.focus();
      emit('open');
    } else {
      stopTyping();
      if (byUser) ui.launcher.focus();
      emit('close');
    }
  }

  function setOwner(online) {
    S.ownerOnline = online;
    const s = t();
    ui.status.dataset.online = String(online);
    ui.status.lastChild.textContent = online ? s.online : s.away;
    ui.away.textContent = S.cfg.away_message || '';
    ui.away.hidden = online || !ui.away.textContent;
  }

  function setConn(state) {
    const s = t();
    ui.conn.dataset.state = state;
    ui.conn.textContent =
      state === 'connecting'
        ? s.connecting
        : state === 'reconnecting'
          ? s.reconnecting
          : S.blocked
            ? s.blocked
            : S.failed
              ? s.unavailable
              : '';
    ui.input.disabled = S.blocked;
    canSend();
  }

  const canSend = () => (ui.send.disabled = S.blocked || !ui.input.value.trim());

  // ---- messages -------------------------------------------------------------------------

  const clock = (ts) => new Date(ts).toLocaleTimeString(lang(), { hour: 'numeric', minute: '2-digit' });

  function dayOf(ts) {
    const x = new Date(ts);
    return new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  }

  function dayLabel(day) {
    const today = dayOf(Date.now());
    if (day === today) return t().today;
    if (day === dayOf(today - 12 * 36e5)) return t().yesterday;
    return new Date(day).toLocaleDateString(lang(), { year: 'numeric', month: 'long', day: 'numeric' });
  }

  // Message text goes in as text nodes; http(s) links become anchors built element by element.
  function fill(target, text) {
    const re = /\bhttps?:\/\/[^\s<>"'`]+/gi;
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      let url = m[0];
      // Trailing punctuation ends the sentence, not the link; so does an unbalanced ')'.
      while (/[.,;:!?'"\]]$/.test(url) || (/\)$/.test(url) && url.split('(').length < url.split(')').length)) {
        url = url.slice(0, -1);
      }
      target.append(text.slice(last, m.index));
      const a = el('a', { target: '_blank', rel: 'noopener noreferrer' }, url);
      try {
        const u = new URL(url);
        if (u.protocol === 'http:' || u.protocol === 'https:') a.href = u.href;
      } catch (e) {}
      target.append(a);
      last = re.lastIndex = m.index + url.length;
    }
    target.append(text.slice(last));
  }

  function bubble(body, mine, ts) {
    const m = el('div', { 'data-pt': 'message', 'data-mine': String(mine), 'data-ts': ts });
    const b = el('div', { 'data-pt': 'body' });
    fill(b, body);
    const meta = el('div', { class: 'm' });
    meta.append(el('time', { datetime: new Date(ts).toISOString() }, clock(ts)));
    m.append(b, meta);
    return m;
  }

  function pendingEl(item) {
    const m = bubble(item.body, true, item.ts);
    m.setAttribute('data-pending', 'true');
    m.lastChild.append(el('span', { class: 'st' }, t().sending));
    S.pending.set(item.cid, m);
    ui.log.append(m);
    days();
  }

  const nearBottom = () => ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
  const toBottom = () => (ui.log.scrollTop = ui.log.scrollHeight);

  // Puts a message with a seq in order: after the last one with a lower seq, so before
  // the pending ones.
  function place(m, seq) {
    let after = ui.greet;
    for (let n = ui.log.lastElementChild; n && n !== ui.greet; n = n.previousElementSibling) {
      if (n.dataset.seq && +n.dataset.seq < seq) {
        after = n;
        break;
      }
    }
    after.after(m);
  }

  // Day separators: exactly one before each message that starts a new day.
  function days() {
    for (const n of [...ui.log.querySelectorAll('.day')]) {
      if (n.nextElementSibling?.dataset.pt !== 'message') n.remove();
    }
    let prev = null;
    for (const m of ui.log.querySelectorAll('[data-pt=message]')) {
      const day = dayOf(+m.dataset.ts);
      let sep = m.previousElementSibling;
      const has = sep && sep.className === 'day';
      if (day !== prev) {
        if (!has) m.before((sep = el('div', { class: 'day' })));
        if (+sep.dataset.day !== day) {
          sep.dataset.day = day;
          sep.textContent = dayLabel(day);
        }
      } else if (has) sep.remove();
      prev = day;
    }
  }

  function known(m, seq, ts) {
    m.dataset.seq = seq;
    m.dataset.ts = ts;
    m.querySelector('time').textContent = clock(ts);
    S.msgs.set(seq, m);
  }

  function dropOutbox(cid) {
    S.saved.outbox = S.saved.outbox.filter((i) => i.cid !== cid);
    save();
  }

  // A pending message got its seq (from its `ack`, or its own `message` frame).
  function settle(cid, seq, ts) {
    const m = S.pending.get(cid);
    S.pending.delete(cid);
    dropOutbox(cid);
    m.removeAttribute('data-pending');
    m.querySelector('.st')?.remove();
    known(m, seq, ts);
    place(m, seq);
    seenMarks();
    days();
    return m;
  }

  // Whether `epoch` is the numbering the widget holds (remembering it if none was known).
  // If not, the room's counter was restored after the server lost data: every seq held may
  // name another message now, so they all go and the history loads again.
  function sameEpoch(epoch) {
    if (epoch == null || epoch === S.epoch) return true;
    const known = S.epoch;
    S.epoch = epoch;
    if (known == null) return true;
    forget(0);
    history();
    return false;
  }

  // Drops the messages held after `seq` (a `resync` said they are void or missing).
  function forget(seq) {
    S.msgs.forEach((m, s) => {
      if (s > seq) {
        m.remove();
        S.msgs.delete(s);
      }
    });
    S.held = Math.min(S.held, seq);
    days();
  }

  function addMessage(f, fromHttp) {
    if (f.room !== S.room) return;
    if (!fromHttp) sameEpoch(f.epoch);
    if (!fromHttp) S.held = Math.max(S.held, f.seq);
    if (S.msgs.has(f.seq)) return; // a replay may bring one twice
    const mine = f.sender.kind === 'visitor';
    const stick = nearBottom();
    if (mine && S.pending.has(f.cid)) settle(f.cid, f.seq, f.ts);
    else {
      const m = bubble(f.body, mine, f.ts);
      known(m, f.seq, f.ts);
      place(m, f.seq);
      days();
      seenMarks();
    }
    if (!mine) ownerTyping(false);
    if (stick) toBottom();
    if (f.seq > S.baseSeq) emit('message', { seq: f.seq, ts: f.ts, body: f.body, mine, sender: { kind: f.sender.kind, name: f.sender.name || null } });
    markRead();
  }

  function seenMarks() {
    S.msgs.forEach((m, seq) => {
      if (m.dataset.mine === 'true' && seq <= S.ownerRead && !m.querySelector('[data-pt=seen]')) {
        m.lastChild.append(el('span', { 'data-pt': 'seen' }, t().seen));
      }
    });
  }

  // What the visitor has seen, the read cursor the owner gets, and the unread badge.
  function markRead() {
    if (!ui) return;
    if (S.open && !d.hidden) {
      if (S.held > S.seenUpto) {
        S.seenUpto = S.held;
        S.saved.read = { room: S.room, seq: S.held };
        save();
      }
      if (S.ready && S.seenUpto > S.readSent) {
        S.readSent = S.seenUpto;
        sendFrame({ type: 'read', room: S.room, seq: S.seenUpto });
      }
    }
    let n = 0;
    S.msgs.forEach((m, seq) => m.dataset.mine === 'false' && seq > S.seenUpto && n++);
    if (n !== S.unread) {
      S.unread = n;
      ui.badge.textContent = n > 99 ? '99+' : String(n);
      ui.badge.hidden = !n;
      setLauncherLabel();
      emit('unread', n);
    }
  }

  function older() {
    const first = ui.log.querySelector('[data-seq]');
    if (first && +first.dataset.seq > 1) history(+first.dataset.seq);
  }

  // History over HTTP: after a `resync`, and older pages when scrolling up.
  async function history(before) {
    if (S.loading || S.noHttp || !S.token) return;
    S.loading = true;
    const gen = S.gen;
    const height = ui.log.scrollHeight;
    try {
      const res = await fetch(`${S.base}/api/v1/rooms/${S.room}/messages?limit=${HISTORY}${before ? '&before_seq=' + before : ''}`, {
        headers: { authorization: 'Bearer ' + S.token },
        credentials: 'omit',
      });
      if (res.ok && gen === S.gen) {
        const page = await res.json();
        sameEpoch(page.epoch);
        for (const m of page.messages) addMessage(m, true);
        if (before) ui.log.scrollTop += ui.log.scrollHeight - height;
      }
    } catch (e) {
      // A network-level failure (no CORS answer, say) would fail again: stop asking.
      S.noHttp = true;
    }
    S.loading = false;
  }

  // ---- typing -------------------------------------------------------------------------------

  function typed() {
    ui.input.style.height = 'auto';
    ui.input.style.height = Math.min(ui.input.scrollHeight, 120) + 'px';
    canSend();
    if (!S.ready) return;
    if (!ui.input.value.trim()) return stopTyping();
    if (Date.now() - S.typingAt >= 3000) {
      S.typingAt = Date.now();
      S.typing = true;
      sendFrame({ type: 'typing', room: S.room, active: true });
    }
    clearTimeout(S.typingIdle);
    S.typingIdle = setTimeout(stopTyping, 4000);
  }

  function stopTyping() {
    clearTimeout(S.typingIdle);
    if (S.typing) {
      S.typing = false;
      sendFrame({ type: 'typing', room: S.room, active: false });
    }
  }

  function ownerTyping(active, name) {
    clearTimeout(S.ownerTypingTimer);
    ui.typing.hidden = !active;
    if (!active) return;
    ui.typing.lastChild.textContent = name ? t().typing.replace('{name}', name) : t().typingAnon;
    // In case the `active: false` never comes (the owner's tab closed).
    S.ownerTypingTimer = setTimeout(ownerTyping, 8000, false);
  }

  // ---- sending ------------------------------------------------------------------------------

  const newCid = () => 'w' + Array.from(w.crypto.getRandomValues(new Uint8Array(12)), (x) => (x + 256).toString(16).slice(1)).join('');

  function submit() {
    const body = ui.input.value.trim().slice(0, MAX_BODY);
    if (!body || S.blocked) return;
    ui.input.value = '';
    typed();
    const item = { cid: newCid(), body, ts: Date.now() };
    S.saved.outbox.push(item);
    save();
    pendingEl(item);
    toBottom();
    want();
    push(item);
  }

  const push = (item) => S.ready && sendFrame({ type: 'send', room: S.room, body: item.body, cid: item.cid });

  const sendFrame = (f) => S.ws && S.ws.readyState === 1 && S.ws.send(JSON.stringify(f));

  function failed(cid) {
    const m = S.pending.get(cid);
    S.pending.delete(cid);
    dropOutbox(cid);
    m.removeAttribute('data-pending');
    m.setAttribute('data-failed', 'true');
    m.querySelector('.st').textContent = t().failed;
  }

  // ---- the connection: session ticket, socket, resume, back-off ----------------------------

  function want() {
    if (!ui || S.wanted || S.blocked) return;
    S.wanted = true;
    connect();
  }

  async function connect() {
    clearTimeout(S.retryTimer);
    if (!S.wanted || S.ws || S.connecting || S.blocked) return;
    S.connecting = true;
    setConn(S.attempt || S.room ? 'reconnecting' : 'connecting');
    const gen = S.gen;
    const req = { site_key: S.key };
    if (S.saved.visitor_id && S.saved.visitor_secret) {
      req.visitor_id = S.saved.visitor_id;
      req.visitor_secret = S.saved.visitor_secret;
    }
    const who = S.saved.identity;
    if (who && who.name) req.name = who.name;
    // Only a plausible address: a refused one would fail the session, not just the field.
    if (who && who.email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(who.email)) req.email = who.email;
    let res;
    let body = {};
    try {
      res = await fetch(`${S.base}/api/v1/widget/sessions?site_key=${encodeURIComponent(S.key)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(req),
        credentials: 'omit',
      });
      body = await res.json().catch(() => ({}));
    } catch (e) {}
    if (gen !== S.gen) return;
    S.connecting = false;
    if (res && res.ok) return socket(body);
    if (body.error === 'visitor_blocked') return block();
    if (res && (res.status === 403 || res.status === 404)) {
      S.wanted = false;
      S.failed = true;
      setConn('offline');
      return emit('error', { code: body.error || 'http_' + res.status, message: body.message });
    }
    retry(); // the network, a 429 or a 5xx
  }

  function socket(session) {
    if (session.visitor_secret) {
      S.saved.visitor_id = session.visitor_id;
      S.saved.visitor_secret = session.visitor_secret;
      save();
    }
    const room = session.room;
    if (room.id !== S.room) {
      // Another conversation (this page's first, or after a reset): show its tail.
      for (const n of ui.log.querySelectorAll('[data-pt=message]:not([data-pending]),.day')) n.remove();
      S.msgs.clear();
      S.room = room.id;
      S.baseSeq = room.last_seq;
      const read = S.saved.read;
      S.seenUpto = S.readSent = read && read.room === room.id ? read.seq : 0;
      S.ownerRead = 0;
      S.held = Math.max(0, room.last_seq - HISTORY);
      S.epoch = null;
    }
    S.token = session.token;
    // A new visitor's new room has nothing to replay; anyone else resumes (last_seq counts
    // only persisted messages, so it may lag behind what the gateway can replay).
    const resume = {};
    if (S.held || !session.visitor_secret) resume[S.room] = S.epoch == null ? S.held : { seq: S.held, epoch: S.epoch };
    const ws = new WebSocket(session.gateway_url);
    S.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: session.token, resume }));
    ws.onmessage = (e) => {
      S.heard = Date.now();
      let f;
      try {
        f = JSON.parse(e.data);
      } catch (x) {
        return;
      }
      frame(f);
    };
    ws.onclose = (e) => S.ws === ws && lost(e.code);
    // No `ready` in time (a half-open network): start over.
    S.authTimer = setTimeout(() => S.ws === ws && !S.ready && lost(4000), 10000);
  }

  function detach() {
    const ws = S.ws;
    S.ws = null;
    S.ready = S.typing = false;
    clearTimeout(S.authTimer);
    clearInterval(S.pingTimer);
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onopen = null;
    try {
      ws.close(1000);
    } catch (e) {}
  }

  function lost(code) {
    detach();
    ownerTyping(false);
    if (code === 4003) return block();
    // 1012: the gateway is restarting; another one takes us at once.
    retry(code === 1012 ? 1 + Math.random() * 500 : 0);
  }

  /** Exponential back-off with jitter: 0.5 s doubling up to 15 s. */
  function retry(delay) {
    if (!S.wanted || S.blocked) return;
    setConn('reconnecting');
    const wait = delay || Math.min(15000, 500 * 2 ** S.attempt) * (0.5 + Math.random() / 2);
    S.attempt++;
    clearTimeout(S.retryTimer);
    S.retryTimer = setTimeout(connect, wait);
  }

  function block() {
    detach();
    S.blocked = true;
    S.wanted = false;
    clearTimeout(S.retryTimer);
    setConn('offline');
    emit('error', { code: 'visitor_blocked', message: 'the site ended this conversation' });
  }

  function frame(f) {
    switch (f.type) {
      case 'ready':
        clearTimeout(S.authTimer);
        S.ready = true;
        S.attempt = 0;
        setConn('online');
        // Our own pings notice a dead network the browser has not noticed yet.
        S.pingTimer = setInterval(() => (Date.now() - S.heard > 45000 ? lost(4009) : sendFrame({ type: 'ping' })), 25000);
        // Whatever was never acked goes again with its cid: stored once, never doubled.
        S.saved.outbox.forEach(push);
        markRead();
        break;
      case 'presence':
        if (f.kind === 'owner' && !f.room) setOwner(f.online);
        break;
      case 'message':
        addMessage(f);
        break;
      case 'ack':
        if (f.room === S.room) sameEpoch(f.epoch);
        if (f.room === S.room && S.pending.has(f.cid)) {
          const stick = nearBottom();
          const m = settle(f.cid, f.seq, f.ts);
          if (stick) toBottom();
          const body = m.querySelector('[data-pt=body]').textContent;
          emit('message', { seq: f.seq, ts: f.ts, body, mine: true, sender: { kind: 'visitor', name: null } });
        }
        break;
      case 'typing':
        if (f.sender && f.sender.kind === 'owner') ownerTyping(f.active, f.sender.name);
        break;
      case 'read':
        if (f.reader && f.reader.kind === 'owner' && f.seq > S.ownerRead) {
          S.ownerRead = f.seq;
          seenMarks();
        }
        break;
      case 'resync':
        if (f.room !== S.room) break;
        if (f.epoch != null) S.epoch = f.epoch;
        forget(f.after_seq);
        history();
        break;
      case 'error':
        if (f.code === 'visitor_blocked') return block();
        if (f.cid && S.pending.has(f.cid)) {
          const item = S.saved.outbox.find((i) => i.cid === f.cid);
          // Retriable (rate limit, an overloaded gateway, a room being restored, …): the
          // same cid again, later.
          if (f.retriable) setTimeout(() => item && push(item), 1000 + Math.random() * 1000);
          else failed(f.cid);
        }
        emit('error', { code: f.code, message: f.message });
        break;
    }
  }

  // Forgets the visitor on this browser: the next conversation is a new one.
  function reset() {
    S.gen++;
    detach();
    clearTimeout(S.retryTimer);
    S.wanted = S.blocked = S.connecting = S.noHttp = S.loading = false;
    S.attempt = 0;
    try {
      w.localStorage.removeItem(storeKey());
    } catch (e) {}
    S.saved = { outbox: [] };
    S.room = S.token = '';
    S.held = S.seenUpto = S.readSent = S.ownerRead = 0;
    S.epoch = null;
    S.msgs.clear();
    S.pending.clear();
    if (!ui) return;
    for (const n of ui.log.querySelectorAll('[data-pt=message],.day')) n.remove();
    ownerTyping(false);
    setConn('offline');
    markRead();
    if (S.open) want();
  }

  // ---- start --------------------------------------------------------------------------------

  const queued = (prior && prior.q) || [];
  w.PinTalk = api;
  const script = d.currentScript;
  if (script && script.dataset && script.dataset.siteKey) {
    run(['init', { siteKey: script.dataset.siteKey, base: new URL(script.src, location.href).origin }]);
  }
  queued.forEach(run);
})();
