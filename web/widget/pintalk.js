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
  /** The protocol's limit on a message body, until `ready` says (`max_body_chars`). */
  const MAX_BODY_CHARS = 4000;
  /** The gateway's ping interval, until `ready` says (`heartbeat_secs`). */
  const HEARTBEAT_SECS = 20;
  /** A socket silent for this many heartbeats is presumed dead (the dashboard's rule too). */
  const SILENT_HEARTBEATS = 2.5;
  /** Back-off (docs/decisions.md, the dashboard's too): ½–1 × min(max, first × 2^n). */
  const BACKOFF_FIRST_MS = 500;
  const BACKOFF_MAX_MS = 15000;
  /** After 1012 (a gateway restarting) another gateway takes us: reconnect within this. */
  const RESTART_JITTER_MS = 500;
  /** No `ready` this long after opening the socket (a half-open network): start over. */
  const AUTH_TIMEOUT_MS = 10000;
  /** A retriable refusal of a `send` is retried after this, plus as much jitter. */
  const RESEND_MS = 1000;
  /** The visitor's `typing: true` goes out at most this often, `false` after the idle time. */
  const TYPING_REPEAT_MS = 3000;
  const TYPING_IDLE_MS = 4000;
  /** The owner's typing shows at most this long without news (their tab may have closed). */
  const TYPING_STALE_MS = 8000;
  /** Identity lengths the server accepts. */
  const NAME_MAX = 100;
  const EMAIL_MAX = 254;
  /** The composer grows up to this height, then scrolls. */
  const COMPOSER_MAX_PX = 120;
  /** Scrolled this close to the bottom, new messages keep the log at the bottom. */
  const STICK_PX = 80;
  /** Scrolled this close to the top, the older page loads. */
  const OLDER_PX = 40;
  /** The length counter shows once a message is this share of the limit. */
  const COUNTER_FROM = 0.9;
  /** The badge shows "99+" above this. */
  const BADGE_MAX = 99;
  /** Close codes (docs/protocol.md). */
  const CLOSE_NORMAL = 1000;
  const CLOSE_ABNORMAL = 1006;
  const CLOSE_RESTART = 1012;
  const CLOSE_NO_AUTH = 4000;
  const CLOSE_BLOCKED = 4003;
  const CLOSE_SILENT = 4009;
  /** After the hours change, the config is asked again within this (spread over the site's visitors). */
  const HOURS_JITTER_MS = 5000;
  /** The longest a timer may wait (2^31 - 1 ms, about 24 days). */
  const TIMER_MAX_MS = 2147483647;
  /** A plausible address: the server checks it properly. */
  const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  /** Navigations this close together send one context report (an SPA's burst of replaceState). */
  const CONTEXT_DEBOUNCE_MS = 400;
  /** The server's bounds on a context report: URL bytes, title characters. */
  const CONTEXT_URL_MAX = 2048;
  const CONTEXT_TITLE_MAX = 300;
  /** A mail's link that reopens this chat: `#pintalk=<token>`. */
  const REOPEN_HASH = /(?:^#|&)pintalk=([0-9a-fA-F]{1,128})/;

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
      tooLong: '{n} characters too long',
      today: 'Today',
      yesterday: 'Yesterday',
      messages: 'Messages',
      mail: 'Email me this conversation',
      mailed: 'Sent to {email}',
      replyMinutes: 'We usually reply in a few minutes.',
      replyHours: 'We usually reply in a few hours.',
      replyDay: 'We usually reply within a day.',
      emailAsk: 'Get our reply by email',
      emailRequired: 'Leave your email so we can reply',
      emailSave: 'Save',
      emailSaved: 'We will reply to {email}.',
      emailChange: 'Change',
      emailInvalid: 'Please enter a valid email address.',
      rateAsk: 'How was this conversation?',
      rateScore: '{n} of 5',
      rateComment: 'Anything to add? (optional)',
      rateSend: 'Send rating',
      rateThanks: 'Thank you for your feedback!',
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
      tooLong: '{n}자 초과',
      today: '오늘',
      yesterday: '어제',
      messages: '메시지',
      mail: '이 대화를 이메일로 받기',
      mailed: '{email}(으)로 보냈습니다',
      replyMinutes: '보통 몇 분 안에 답변드립니다.',
      replyHours: '보통 몇 시간 안에 답변드립니다.',
      replyDay: '보통 하루 안에 답변드립니다.',
      emailAsk: '이메일로 답변 받기',
      emailRequired: '답변을 받을 이메일을 남겨 주세요',
      emailSave: '저장',
      emailSaved: '{email}(으)로 답변드리겠습니다.',
      emailChange: '변경',
      emailInvalid: '올바른 이메일 주소를 입력해 주세요.',
      rateAsk: '상담은 어떠셨나요?',
      rateScore: '5점 중 {n}점',
      rateComment: '덧붙일 말씀이 있나요? (선택)',
      rateSend: '평가 보내기',
      rateThanks: '소중한 의견 감사합니다!',
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
    '[data-pt=away] span{display:block}[data-pt=reply-time]{margin-top:2px;color:#6b7280}' +
    '[data-pt=email]{flex-wrap:wrap;align-items:center;gap:6px;padding:10px 20px;border-top:0;border-bottom:1px solid #e8e9ee;background:#f3f4f6}' +
    '[data-pt=email] label{flex:1 0 100%;font-size:12.5px;color:#4b5563}[data-pt=email] input{flex:1;min-width:0;padding:7px 12px;' +
    'border:1px solid #d1d5db;border-radius:16px;font:inherit;font-size:14px;background:#fff}[data-pt=email] input[aria-invalid=true]{border-color:#dc2626}' +
    '[data-pt=email] button{padding:7px 14px;border:0;border-radius:16px;background:var(--a);color:var(--on)}' +
    '[data-pt=email-note]{flex:1 0 100%;margin:0;font-size:12px;color:#4b5563}[data-pt=email-note]:empty{display:none}' +
    '[data-pt=email-saved]{display:flex;align-items:center;gap:8px;padding:8px 20px;font-size:12.5px;color:#4b5563;background:#f3f4f6;border-bottom:1px solid #e8e9ee}' +
    '[data-pt=email-saved] button{border:0;background:none;padding:0;text-decoration:underline;color:inherit}' +
    '[data-pt=rating]{flex-direction:column;gap:6px;padding:10px 16px;border-top:1px solid #e8e9ee;background:#f3f4f6}' +
    '[data-pt=rating] p{margin:0;font-size:13px;color:#374151}[data-pt=stars]{display:flex;gap:2px}' +
    '[data-pt=stars] button{width:34px;height:34px;border:0;border-radius:8px;background:none;font-size:24px;line-height:1;color:#d1d5db}' +
    '[data-pt=stars] button[data-on=true]{color:#f59e0b}[data-pt=stars] button:focus-visible{outline:2px solid var(--a)}' +
    '[data-pt=rating] textarea{padding:7px 10px;border:1px solid #d1d5db;border-radius:10px;font:inherit;font-size:13px;resize:none}' +
    '[data-pt=rating] [type=submit]{align-self:flex-end;padding:7px 14px;border:0;border-radius:16px;background:var(--a);color:var(--on)}' +
    '[data-pt=rating] [type=submit]:disabled{opacity:.4}' +
    '[data-pt=rated]{padding:8px 16px;font-size:12.5px;color:#4b5563;background:#f3f4f6;border-top:1px solid #e8e9ee}' +
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
    '[data-pt=count]{padding:4px 16px 0;font-size:12px;text-align:right;color:#6b7280;background:#fff}' +
    '[data-pt=count][data-over=true]{color:#b91c1c;font-weight:600}' +
    'form{display:flex;align-items:flex-end;gap:8px;margin:0;padding:12px;border-top:1px solid #eceef2;background:#fff}' +
    'textarea{flex:1;max-height:120px;padding:9px 14px;border:1px solid transparent;border-radius:20px;outline:0;resize:none;' +
    'background:#f3f4f7;font:inherit;font-size:16px;color:inherit;transition:background .15s,border-color .15s}' +
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
    '<button class="x" data-pt="transcript" type="button" hidden><svg viewBox="0 0 24 24"><path d="M4 6h16v12H4zM4 7l8 6 8-6"/></svg></button>' +
    '<button class="x" data-pt="close" type="button"><svg viewBox="0 0 24 24"><path d="M6 6l12 12M18 6L6 18"/></svg></button></header>' +
    '<div data-pt="connection" data-state="offline" role="status"></div>' +
    '<div data-pt="away" hidden><span data-pt="away-message"></span><span data-pt="reply-time"></span></div>' +
    '<form data-pt="email" hidden novalidate><label for="e"></label><input id="e" type="email" autocomplete="email" maxlength="254">' +
    '<button type="submit"></button><p data-pt="email-note" role="alert"></p></form>' +
    '<div data-pt="email-saved" hidden><span></span><button type="button"></button></div>' +
    '<div data-pt="messages" role="log" aria-live="polite" tabindex="0"><div class="g"></div></div>' +
    '<div data-pt="typing" hidden><span class="dots"><i></i><i></i><i></i></span><span></span></div>' +
    '<form data-pt="rating" hidden><p id="rq"></p><div data-pt="stars" role="group" aria-labelledby="rq">' +
    '<button type="button" data-score="1">★</button><button type="button" data-score="2">★</button><button type="button" data-score="3">★</button>' +
    '<button type="button" data-score="4">★</button><button type="button" data-score="5">★</button></div>' +
    '<textarea rows="2" maxlength="1000"></textarea><button type="submit" disabled></button></form>' +
    '<div data-pt="rated" role="status" hidden></div>' +
    '<div data-pt="count" aria-live="polite" hidden></div><form><textarea data-pt="input" rows="1"></textarea><button data-pt="send" type="submit" disabled>' +
    '<svg viewBox="0 0 24 24"><path d="M5 12h13M13 6l6 6-6 6"/></svg></button></form></div>' +
    '<button data-pt="launcher" type="button" aria-expanded="false" aria-controls="p">' +
    '<svg class="ic" viewBox="0 0 24 24"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>' +
    '<svg class="ix" viewBox="0 0 24 24"><path d="M6 9l6 6 6-6"/></svg><span data-pt="badge" hidden></span></button></div>';

  // ---- state, one object per section ---------------------------------------------------

  /** What this browser keeps for the site (localStorage): visitor id and secret, unsent messages, identity, read cursor. */
  const store = {
    key: '', // the site key
    base: '', // the origin that serves the widget and the API
    reopen: '', // a mail's reopen token, taken from the page's URL, until a start used it
    // The page's signed-in user ({user_id, user_hash}) from `identify`: kept for this page
    // only, never in storage, so a browser whose user signed out is not them any more.
    user: null,
    saved: { unsent: [] },
  };
  /** The site as its widget config describes it. */
  const site = {
    cfg: null,
    lang: '', // set by PinTalk('locale'); else the config's language
    failed: false, // the config or the session was refused: no chat here
    readyData: null, // what the `ready` event carried, for listeners added later
  };
  /** The socket and its session ticket. */
  const conn = {
    gen: 0, // bumped by reset, so answers to older requests are ignored
    wanted: false, // the visitor needs the conversation: keep a socket up
    blocked: false,
    ws: null,
    ready: false,
    connecting: false,
    attempt: 0, // reconnects since the last `ready`, for the back-off
    token: '',
    heard: 0, // when the socket last received a frame
    maxBody: MAX_BODY_CHARS, // from `ready`
    heartbeatMs: HEARTBEAT_SECS * 1000, // from `ready`
    retryTimer: 0,
    authTimer: 0,
    pingTimer: 0,
  };
  /** The visitor's conversation as this page holds it. */
  const room = {
    id: '',
    baseSeq: -1, // the room's last seq when this page loaded it: up to here is history
    held: 0, // the highest seq received in a `message` frame: where to resume from
    epoch: null, // the numbering those seqs belong to, once a frame or page said
    seenUpto: 0, // the visitor has seen (panel open, page visible) up to here
    readSent: 0,
    ownerRead: 0,
    msgs: new Map(), // seq -> its element
    pending: new Map(), // cid -> the element of a message not acked yet
    loading: false, // an HTTP history page is on its way
    noHttp: false, // HTTP history failed at the network level (no CORS answer): don't retry
    status: 'open', // closed by the site: the visitor may rate it
    rated: false, // the visitor rated it (the start says, and their own rating)
    score: 0, // the score picked in the rating form, not sent yet
  };
  /** What the panel shows. */
  const view = {
    open: false,
    wantOpen: null, // PinTalk('open') or 'close' before the UI exists; else as the visitor left it
    shown: true,
    ownerOnline: false,
    inHours: true, // within the site's business hours (the config, the start, `settings` say)
    hoursTimer: 0, // asks the config again when the hours change
    editingEmail: false, // the visitor chose to change the email they left
    unread: 0,
    typing: false, // the visitor's `typing: true` is out
    typingAt: 0, // when it last went out
    typingIdle: 0,
    ownerTypingTimer: 0,
  };
  let ui = null;
  const handlers = {};
  const early = []; // commands given before `init`

  const t = () => STRINGS[site.lang] || STRINGS[site.cfg && site.cfg.language] || STRINGS.en;
  const lang = () => site.lang || (site.cfg && site.cfg.language) || 'en';

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

  // ---- storage: visitor id and secret, unsent messages, identity, read cursor ---------------------

  const storeKey = () => 'pintalk:' + store.key;

  function load() {
    try {
      const v = JSON.parse(w.localStorage.getItem(storeKey()));
      if (v && typeof v === 'object') {
        // Browsers that kept an earlier version's `outbox` keep its messages as `unsent`.
        if (!Array.isArray(v.unsent)) v.unsent = Array.isArray(v.outbox) ? v.outbox : [];
        delete v.outbox;
        return v;
      }
    } catch (e) {}
    return { unsent: [] };
  }

  function save() {
    try {
      w.localStorage.setItem(storeKey(), JSON.stringify(store.saved));
    } catch (e) {}
  }

  // ---- the command API: PinTalk('open'), PinTalk('on', 'message', fn), … ----------------

  const commands = {
    init(o) {
      if (store.key || !o || !o.siteKey) return;
      store.key = String(o.siteKey);
      store.base = String(o.base || '').replace(/\/+$/, '');
      store.saved = load();
      takeReopenLink();
      early.splice(0).forEach(run);
      later(boot);
    },
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!(ui ? view.open : (view.wantOpen ?? store.saved.open))),
    show: () => shown(true),
    hide: () => shown(false),
    // Sent with the next session request, so the owner sees who they talk to.
    identify(who) {
      if (!who || typeof who !== 'object') return;
      const text = (v, max) => (v == null ? null : String(v).slice(0, max));
      store.saved.identity = { name: text(who.name, NAME_MAX), email: text(who.email, EMAIL_MAX) };
      // A signed-in user, vouched for by the site's server (HMAC of user_id); the page
      // says it again on each load while the user is signed in.
      store.user = who.user_id != null && who.user_hash != null
        ? { user_id: text(who.user_id, 128), user_hash: text(who.user_hash, 64) }
        : null;
      save();
    },
    on(name, fn) {
      if (typeof fn !== 'function') return;
      (handlers[name] = handlers[name] || []).push(fn);
      if (name === 'ready' && site.readyData) fn(site.readyData);
    },
    off(name, fn) {
      handlers[name] = (handlers[name] || []).filter((f) => f !== fn);
    },
    locale(l) {
      site.lang = STRINGS[l] ? l : 'en';
      if (ui) applyStrings();
    },
    reset: () => reset(),
  };

  function run(args) {
    const [name, ...rest] = args;
    if (!store.key && name !== 'init') {
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

  /** A mail's link (`#pintalk=<token>`) reopens the chat: keep the token, clean the URL. */
  function takeReopenLink() {
    const m = REOPEN_HASH.exec(location.hash || '');
    if (!m) return;
    store.reopen = m[1];
    view.wantOpen = true;
    const rest = location.hash.replace(m[0], '').replace(/^#?&?/, '');
    try {
      history.replaceState(history.state, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    } catch (e) {}
  }

  // ---- boot: the config, then the UI ------------------------------------------------------

  async function boot() {
    const gen = conn.gen;
    let cfg;
    try {
      const res = await fetch(`${store.base}/api/v1/widget/config?site_key=${encodeURIComponent(store.key)}`, { credentials: 'omit' });
      cfg = await res.json();
      if (!res.ok) throw cfg;
    } catch (e) {
      // A refused origin gets no CORS headers, so the browser hides why: a failed fetch.
      site.failed = true;
      const error = {
        code: (e && e.error) || 'unavailable',
        message: (e && e.message) || 'the chat could not load its settings (origin not allowed, site not live, unknown key, or network)',
      };
      // The site's owner, trying the widget on their page, looks here first.
      w.console?.warn(`PinTalk: the chat is not shown: ${error.message} (${error.code})`);
      emit('error', error);
      return;
    }
    if (gen !== conn.gen || ui) return;
    site.cfg = cfg;
    view.ownerOnline = !!cfg.owner_online;
    mount();
    availability(cfg.availability);
    site.readyData = {
      siteId: cfg.site_id,
      ownerOnline: view.ownerOnline,
      visitorId: store.saved.visitor_id || null,
      identity: store.saved.identity || null,
    };
    emit('ready', site.readyData);
    // Open as the visitor left it (a reload, another page of the site) unless the page said.
    if (view.wantOpen == null ? store.saved.open : view.wantOpen) setOpen(true);
    // Unsent messages go out, and an unread reply keeps its badge live.
    else if (store.saved.unsent.length || store.saved.unread) want();
    // A returning visitor may have replies this browser has not seen yet: ask once.
    else if (store.saved.visitor_id) peek();
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
      closer: pt('close'),
      mailer: pt('transcript'),
      conn: pt('connection'),
      away: pt('away'),
      awayMessage: pt('away-message'),
      replyTime: pt('reply-time'),
      email: pt('email'),
      emailInput: q('#e'),
      emailLabel: q('[data-pt=email] label'),
      emailSave: q('[data-pt=email] button'),
      emailNote: pt('email-note'),
      emailSaved: pt('email-saved'),
      log: pt('messages'),
      greet: q('.g'),
      typing: pt('typing'),
      rating: pt('rating'),
      ratingAsk: q('#rq'),
      stars: [...root.querySelectorAll('[data-pt=stars] button')],
      ratingComment: q('[data-pt=rating] textarea'),
      ratingSend: q('[data-pt=rating] [type=submit]'),
      rated: pt('rated'),
      form: q('form:not([data-pt])'),
      input: pt('input'),
      count: pt('count'),
      send: pt('send'),
      launcher: pt('launcher'),
      badge: pt('badge'),
    };
    looks();
    shown(view.shown);

    ui.launcher.addEventListener('click', () => setOpen(!view.open, true));
    ui.closer.addEventListener('click', () => setOpen(false, true));
    ui.mailer.addEventListener('click', mailTranscript);
    ui.email.addEventListener('submit', (e) => {
      e.preventDefault();
      leaveEmail();
    });
    ui.emailSaved.lastChild.addEventListener('click', () => {
      view.editingEmail = true;
      awayState();
      ui.emailInput.focus();
    });
    for (const star of ui.stars) star.addEventListener('click', () => pickScore(+star.dataset.score));
    ui.rating.addEventListener('submit', (e) => {
      e.preventDefault();
      sendRating();
    });
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
    ui.log.addEventListener('scroll', () => ui.log.scrollTop < OLDER_PX && older());
    d.addEventListener('visibilitychange', markRead);
    w.addEventListener('online', () => {
      if (conn.wanted && !conn.ws && !conn.connecting) {
        conn.attempt = 0;
        connect();
      }
    });
    // The browser may keep a dead socket open for a long while; the network said it is gone.
    w.addEventListener('offline', () => conn.ws && lost(CLOSE_ABNORMAL));

    store.saved.unsent.forEach(pendingEl);
    watchNavigation();
    applyStrings();
    if (store.saved.unread) badge(store.saved.unread);
    d.body.appendChild(host);
  }

  /** Draws what the site's settings decide: colour, corner, title, greeting, owner status. */
  function looks() {
    const cfg = site.cfg;
    if (/^#[0-9a-f]{6}$/i.test(cfg.accent_color || '')) {
      ui.root.style.setProperty('--a', cfg.accent_color);
      ui.root.style.setProperty('--on', onAccent(cfg.accent_color));
    }
    ui.root.classList.toggle('l', cfg.position === 'left');
    ui.title.textContent = cfg.title || '';
    ui.greet.replaceChildren();
    fill(ui.greet, cfg.greeting || '');
    ui.greet.hidden = !cfg.greeting;
    ui.status.hidden = !cfg.show_owner_status;
  }

  /** The owner saved new settings (a `settings` frame): redraw in place, no reload. */
  function resettle(widget) {
    if (!widget || typeof widget !== 'object') return;
    site.cfg = { ...site.cfg, ...widget };
    looks();
    applyStrings(); // the language, and the away message with the owner's status
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
    if (!ui.mailer.dataset.sent) ui.mailer.title = s.mail;
    ui.mailer.setAttribute('aria-label', ui.mailer.title);
    ui.log.setAttribute('aria-label', s.messages);
    ui.input.placeholder = s.input;
    ui.input.setAttribute('aria-label', s.input);
    ui.send.setAttribute('aria-label', s.send);
    ui.send.title = s.send;
    ui.ratingAsk.textContent = s.rateAsk;
    ui.stars.forEach((star, i) => star.setAttribute('aria-label', s.rateScore.replace('{n}', i + 1)));
    ui.ratingComment.placeholder = s.rateComment;
    ui.ratingComment.setAttribute('aria-label', s.rateComment);
    ui.ratingSend.textContent = s.rateSend;
    ui.rated.textContent = s.rateThanks;
    setOwner(view.ownerOnline);
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
    const label = view.open ? s.close : s.open;
    ui.launcher.setAttribute('aria-label', view.unread ? `${label} (${s.unread.replace('{n}', view.unread)})` : label);
  }

  function shown(yes) {
    view.shown = yes;
    if (ui) ui.host.style.display = yes ? '' : 'none';
  }

  function setOpen(open, byUser) {
    if (!ui) {
      view.wantOpen = open;
      return;
    }
    if (open === view.open) return;
    view.open = open;
    store.saved.open = open;
    save();
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
    view.ownerOnline = online;
    awayState();
  }

  const isAway = () => !view.ownerOnline || !view.inHours;
  const leftEmail = () => store.saved.identity?.email || '';
  /** Away and the site requires an email the visitor has not left: no writing yet. */
  const emailFirst = () => isAway() && site.cfg.email_field === 'required' && !leftEmail();

  /**
   * The away state (outside the site's hours, or no owner online): the away message, the
   * reply time the site promises, and the email field (optional or required per site).
   */
  function awayState() {
    const s = t();
    const away = isAway();
    ui.root.dataset.away = String(away);
    ui.status.dataset.online = String(!away);
    ui.status.lastChild.textContent = away ? s.away : s.online;
    ui.awayMessage.replaceChildren();
    fill(ui.awayMessage, site.cfg.away_message || '');
    const reply = { minutes: s.replyMinutes, hours: s.replyHours, day: s.replyDay }[site.cfg.reply_time];
    ui.replyTime.textContent = reply || '';
    ui.away.hidden = !away || !(ui.awayMessage.textContent || reply);
    const asking = away && site.cfg.email_field && site.cfg.email_field !== 'off';
    const saved = leftEmail();
    ui.email.hidden = !asking || (saved && !view.editingEmail);
    ui.emailSaved.hidden = !asking || !saved || view.editingEmail;
    ui.emailLabel.textContent = site.cfg.email_field === 'required' ? s.emailRequired : s.emailAsk;
    ui.emailInput.required = site.cfg.email_field === 'required';
    ui.emailSave.textContent = s.emailSave;
    ui.emailSaved.firstChild.textContent = s.emailSaved.replace('{email}', saved);
    ui.emailSaved.lastChild.textContent = s.emailChange;
    if (!ui.emailInput.value && saved) ui.emailInput.value = saved;
    ui.input.disabled = conn.blocked || emailFirst();
    canSend();
  }

  /** What the server says of the site's hours; asks again when they change. */
  function availability(a) {
    if (!a || typeof a !== 'object') return;
    view.inHours = a.in_hours !== false;
    clearTimeout(view.hoursTimer);
    if (typeof a.changes_at === 'number') {
      const wait = Math.min(TIMER_MAX_MS, Math.max(0, a.changes_at - Date.now()) + Math.random() * HOURS_JITTER_MS);
      view.hoursTimer = setTimeout(recheckHours, wait);
    }
    if (ui) awayState();
  }

  async function recheckHours() {
    try {
      const res = await fetch(`${store.base}/api/v1/widget/config?site_key=${encodeURIComponent(store.key)}`, { credentials: 'omit' });
      if (res.ok) return availability((await res.json()).availability);
    } catch (e) {}
    // Could not ask: the page keeps what it knows, and asks again in a minute.
    view.hoursTimer = setTimeout(recheckHours, 60000);
  }

  /** The last context report sent (its JSON), and the pending one's timer. */
  const context = { sent: '', timer: 0 };

  /** Says where the visitor is, once navigating pauses. */
  function reportContext() {
    clearTimeout(context.timer);
    context.timer = setTimeout(sendContext, CONTEXT_DEBOUNCE_MS);
  }

  const bytes = (text) => new TextEncoder().encode(text).length;

  /**
   * `PUT /rooms/{id}/visitor/context`: the page, where the visitor came from, language,
   * time zone and screen. What the server would refuse is left out (a URL too long loses
   * its query), and the same report is not sent twice.
   */
  async function sendContext() {
    if (!room.id || !conn.token) return;
    let url = location.href;
    if (bytes(url) > CONTEXT_URL_MAX) url = location.origin + location.pathname;
    if (bytes(url) > CONTEXT_URL_MAX) return;
    const report = { url, title: [...(d.title || '')].slice(0, CONTEXT_TITLE_MAX).join('').replace(/[\u0000-\u001f\u007f]/g, ' ') };
    const referrer = d.referrer;
    if (/^https?:/.test(referrer) && bytes(referrer) <= CONTEXT_URL_MAX) report.referrer = referrer;
    if (/^[A-Za-z0-9-]{1,35}$/.test(navigator.language || '')) report.language = navigator.language;
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (/^[A-Za-z0-9/_+-]{1,64}$/.test(zone || '')) report.time_zone = zone;
    } catch (e) {}
    if (w.screen && screen.width > 0 && screen.height > 0) report.screen = { width: screen.width, height: screen.height };
    const json = JSON.stringify(report);
    if (json === context.sent) return;
    context.sent = json;
    try {
      const res = await fetch(`${store.base}/api/v1/rooms/${room.id}/visitor/context`, {
        method: 'PUT',
        headers: { authorization: 'Bearer ' + conn.token, 'content-type': 'application/json' },
        body: json,
        credentials: 'omit',
      });
      if (!res.ok) context.sent = '';
    } catch (e) {
      context.sent = ''; // sent again with the next navigation or session
    }
  }

  /** An SPA moves without loading a page: its history calls and events are navigations too. */
  function watchNavigation() {
    // `w.history`: this file's own `history()` fetches the conversation's messages.
    const pages = w.history;
    for (const name of ['pushState', 'replaceState']) {
      const original = pages[name];
      pages[name] = function (...args) {
        const result = original.apply(this, args);
        reportContext();
        return result;
      };
    }
    w.addEventListener('popstate', reportContext);
    w.addEventListener('hashchange', reportContext);
  }

  /** The rating form shows under a closed conversation the visitor has not rated yet. */
  function ratingState() {
    if (!ui) return;
    const ask = room.status === 'closed' && !room.rated;
    ui.rating.hidden = !ask;
    ui.rated.hidden = !(room.status === 'closed' && room.rated && room.score);
  }

  function pickScore(score) {
    room.score = score;
    ui.stars.forEach((star, i) => {
      star.dataset.on = String(i < score);
      star.setAttribute('aria-pressed', String(i + 1 === score));
    });
    ui.ratingSend.disabled = false;
  }

  /** `PUT /rooms/{id}/rating`; the form stays (and says nothing) if it could not be sent. */
  async function sendRating() {
    if (!room.score || !room.id || !conn.token) return;
    ui.ratingSend.disabled = true;
    const comment = ui.ratingComment.value.trim();
    try {
      const res = await fetch(`${store.base}/api/v1/rooms/${room.id}/rating`, {
        method: 'PUT',
        headers: { authorization: 'Bearer ' + conn.token, 'content-type': 'application/json' },
        body: JSON.stringify(comment ? { score: room.score, comment } : { score: room.score }),
        credentials: 'omit',
      });
      if (res.ok) {
        room.rated = true;
        ratingState();
        emit('rating', { score: room.score, comment: comment || null });
        return;
      }
      const body = await res.json().catch(() => ({}));
      emit('error', { code: body.error || 'http_' + res.status, message: body.message });
    } catch (e) {}
    ui.ratingSend.disabled = false;
  }

  /** The away state's form: the email is kept here and stored on the visitor. */
  async function leaveEmail() {
    const email = ui.emailInput.value.trim();
    if (!EMAIL_LIKE.test(email) || email.length > EMAIL_MAX) {
      ui.emailInput.setAttribute('aria-invalid', 'true');
      ui.emailNote.textContent = t().emailInvalid;
      return;
    }
    ui.emailInput.setAttribute('aria-invalid', 'false');
    ui.emailNote.textContent = '';
    ui.emailSave.disabled = true;
    const saved = await storeEmail(email);
    ui.emailSave.disabled = false;
    if (saved === false) {
      ui.emailInput.setAttribute('aria-invalid', 'true');
      ui.emailNote.textContent = t().emailInvalid;
      return;
    }
    store.saved.identity = { ...(store.saved.identity || {}), email: saved || email };
    save();
    ui.emailInput.value = saved || email;
    view.editingEmail = false;
    ui.mailer.hidden = false;
    awayState();
    emit('email', saved || email);
    if (!ui.input.disabled) ui.input.focus();
  }

  /**
   * `PUT /rooms/{id}/visitor/email` once a session exists (else the next start carries
   * it): the stored address, `false` if the server refused it, null if it could not ask.
   */
  async function storeEmail(email) {
    if (!room.id || !conn.token) {
      want();
      return null;
    }
    try {
      const res = await fetch(`${store.base}/api/v1/rooms/${room.id}/visitor/email`, {
        method: 'PUT',
        headers: { authorization: 'Bearer ' + conn.token, 'content-type': 'application/json' },
        body: JSON.stringify({ email, page_url: location.href.split('#')[0] }),
        credentials: 'omit',
      });
      if (res.ok) return (await res.json()).email;
      if (res.status === 400) return false;
    } catch (e) {}
    return null;
  }

  function setConn(state) {
    const s = t();
    ui.conn.dataset.state = state;
    ui.conn.textContent =
      state === 'connecting'
        ? s.connecting
        : state === 'reconnecting'
          ? s.reconnecting
          : conn.blocked
            ? s.blocked
            : site.failed
              ? s.unavailable
              : '';
    ui.input.disabled = conn.blocked || emailFirst();
    canSend();
  }

  /** Characters as the server counts them (code points, not UTF-16 units). */
  const chars = (text) => [...text].length;

  // The send button, and the length counter near the limit: a message over it is refused, never cut.
  function canSend() {
    const used = chars(ui.input.value.trim());
    const over = used > conn.maxBody;
    ui.count.hidden = used < conn.maxBody * COUNTER_FROM;
    ui.count.textContent = over ? t().tooLong.replace('{n}', used - conn.maxBody) : used + ' / ' + conn.maxBody;
    ui.count.dataset.over = String(over);
    ui.input.setAttribute('aria-invalid', String(over));
    ui.send.disabled = conn.blocked || !used || over || emailFirst();
  }

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

  // Links (docs/decisions.md, the dashboard's rule too): http(s) URLs and `www.` hosts;
  // trailing punctuation ends the sentence, not the link, and so does a closing bracket
  // the link did not open. Text goes in as text nodes, links as anchors built element by
  // element; anything `URL` does not read as http(s) stays text.
  const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
  const OPENER = { ')': '(', ']': '[', '}': '{' };

  function fill(target, text) {
    let last = 0;
    for (const m of text.matchAll(LINK)) {
      let url = m[0];
      for (let c = url.slice(-1); /[.,;:!?'"]/.test(c) || (OPENER[c] && url.split(OPENER[c]).length < url.split(c).length); c = url.slice(-1)) {
        url = url.slice(0, -1);
      }
      target.append(text.slice(last, m.index));
      last = m.index + url.length;
      let href = '';
      try {
        const u = new URL(/^www\./i.test(url) ? 'https://' + url : url);
        if (u.protocol === 'http:' || u.protocol === 'https:') href = u.href;
      } catch (e) {}
      target.append(href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, url) : url);
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
    room.pending.set(item.cid, m);
    ui.log.append(m);
    days();
  }

  const nearBottom = () => ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < STICK_PX;
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
    room.msgs.set(seq, m);
  }

  function dropUnsent(cid) {
    store.saved.unsent = store.saved.unsent.filter((i) => i.cid !== cid);
    save();
  }

  // A pending message got its seq (from its `ack`, or its own `message` frame).
  function settle(cid, seq, ts) {
    const m = room.pending.get(cid);
    room.pending.delete(cid);
    dropUnsent(cid);
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
    if (epoch == null || epoch === room.epoch) return true;
    const known = room.epoch;
    room.epoch = epoch;
    if (known == null) return true;
    forget(0);
    history();
    return false;
  }

  // Drops the messages held after `seq` (a `resync` said they are void or missing).
  function forget(seq) {
    room.msgs.forEach((m, s) => {
      if (s > seq) {
        m.remove();
        room.msgs.delete(s);
      }
    });
    room.held = Math.min(room.held, seq);
    days();
  }

  function addMessage(f, fromHttp) {
    if (f.room !== room.id) return;
    if (!fromHttp) sameEpoch(f.epoch);
    if (!fromHttp) room.held = Math.max(room.held, f.seq);
    if (room.msgs.has(f.seq)) return; // a replay may bring one twice
    const mine = f.sender.kind === 'visitor';
    const stick = nearBottom();
    if (mine && room.pending.has(f.cid)) settle(f.cid, f.seq, f.ts);
    else {
      const m = bubble(f.body, mine, f.ts);
      known(m, f.seq, f.ts);
      place(m, f.seq);
      days();
      seenMarks();
    }
    if (!mine) ownerTyping(false);
    if (stick) toBottom();
    if (f.seq > room.baseSeq) emit('message', { seq: f.seq, ts: f.ts, body: f.body, mine, sender: { kind: f.sender.kind, name: f.sender.name || null } });
    markRead();
  }

  function seenMarks() {
    room.msgs.forEach((m, seq) => {
      if (m.dataset.mine === 'true' && seq <= room.ownerRead && !m.querySelector('[data-pt=seen]')) {
        m.lastChild.append(el('span', { 'data-pt': 'seen' }, t().seen));
      }
    });
  }

  // What the visitor has seen, the read cursor the owner gets, and the unread badge.
  function markRead() {
    if (!ui) return;
    if (view.open && !d.hidden) {
      if (room.held > room.seenUpto) {
        room.seenUpto = room.held;
        store.saved.read = { room: room.id, seq: room.held };
        save();
      }
      if (conn.ready && room.seenUpto > room.readSent) {
        room.readSent = room.seenUpto;
        sendFrame({ type: 'read', room: room.id, seq: room.seenUpto });
      }
    }
    // Until this page holds the room up to its last message, the count kept from before stands.
    if (!view.open && (!room.id || room.held < room.baseSeq)) return;
    let n = 0;
    room.msgs.forEach((m, seq) => m.dataset.mine === 'false' && seq > room.seenUpto && n++);
    if (n !== view.unread) {
      store.saved.unread = n;
      save();
      badge(n);
    }
  }

  function badge(n) {
    view.unread = n;
    ui.badge.textContent = n > BADGE_MAX ? BADGE_MAX + '+' : String(n);
    ui.badge.hidden = !n;
    setLauncherLabel();
    emit('unread', n);
  }

  function older() {
    const first = ui.log.querySelector('[data-seq]');
    if (first && +first.dataset.seq > 1) history(+first.dataset.seq);
  }

  // History over HTTP: after a `resync`, and older pages when scrolling up.
  async function history(before) {
    if (room.loading || room.noHttp || !conn.token) return;
    room.loading = true;
    const gen = conn.gen;
    const height = ui.log.scrollHeight;
    try {
      const res = await fetch(`${store.base}/api/v1/rooms/${room.id}/messages?limit=${HISTORY}${before ? '&before_seq=' + before : ''}`, {
        headers: { authorization: 'Bearer ' + conn.token },
        credentials: 'omit',
      });
      if (res.ok && gen === conn.gen) {
        const page = await res.json();
        sameEpoch(page.epoch);
        for (const m of page.messages) addMessage(m, true);
        if (before) ui.log.scrollTop += ui.log.scrollHeight - height;
      }
    } catch (e) {
      // A network-level failure (no CORS answer, say) would fail again: stop asking.
      room.noHttp = true;
    }
    room.loading = false;
  }

  // ---- typing -------------------------------------------------------------------------------

  function typed() {
    ui.input.style.height = 'auto';
    ui.input.style.height = Math.min(ui.input.scrollHeight, COMPOSER_MAX_PX) + 'px';
    canSend();
    if (!conn.ready) return;
    if (!ui.input.value.trim()) return stopTyping();
    if (Date.now() - view.typingAt >= TYPING_REPEAT_MS) {
      view.typingAt = Date.now();
      view.typing = true;
      sendFrame({ type: 'typing', room: room.id, active: true });
    }
    clearTimeout(view.typingIdle);
    view.typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(view.typingIdle);
    if (view.typing) {
      view.typing = false;
      sendFrame({ type: 'typing', room: room.id, active: false });
    }
  }

  function ownerTyping(active, name) {
    clearTimeout(view.ownerTypingTimer);
    ui.typing.hidden = !active;
    if (!active) return;
    ui.typing.lastChild.textContent = name ? t().typing.replace('{name}', name) : t().typingAnon;
    // In case the `active: false` never comes (the owner's tab closed).
    view.ownerTypingTimer = setTimeout(ownerTyping, TYPING_STALE_MS, false);
  }

  // ---- sending ------------------------------------------------------------------------------

  const newCid = () => 'w' + Array.from(w.crypto.getRandomValues(new Uint8Array(12)), (x) => (x + 256).toString(16).slice(1)).join('');

  function submit() {
    const body = ui.input.value.trim();
    if (!body || conn.blocked || chars(body) > conn.maxBody || emailFirst()) return;
    ui.input.value = '';
    typed();
    const item = { cid: newCid(), body, ts: Date.now() };
    // Writing again reopens the conversation (the server does the same).
    room.status = 'open';
    ratingState();
    store.saved.unsent.push(item);
    save();
    pendingEl(item);
    toBottom();
    want();
    push(item);
  }

  const push = (item) => conn.ready && sendFrame({ type: 'send', room: room.id, body: item.body, cid: item.cid });

  const sendFrame = (f) => conn.ws && conn.ws.readyState === 1 && conn.ws.send(JSON.stringify(f));

  function failed(cid) {
    const m = room.pending.get(cid);
    room.pending.delete(cid);
    dropUnsent(cid);
    m.removeAttribute('data-pending');
    m.setAttribute('data-failed', 'true');
    m.querySelector('.st').textContent = t().failed;
  }

  // ---- the connection: session ticket, socket, resume, back-off ----------------------------

  function want() {
    if (!ui || conn.wanted || conn.blocked) return;
    conn.wanted = true;
    connect();
  }

  /**
   * A returning visitor's start without a socket: their conversation's unread count (the
   * badge) and read marks. A socket follows only if there is something unread, or once
   * the visitor opens the chat.
   */
  async function peek() {
    if (conn.wanted || conn.connecting || conn.blocked) return;
    conn.connecting = true;
    const gen = conn.gen;
    const { res, body } = await startSession();
    if (gen !== conn.gen) return;
    conn.connecting = false;
    if (conn.wanted) return connect(); // opened meanwhile: a socket's own start follows
    if (!res || !res.ok) return; // tried again when the visitor opens the chat
    adopt(body);
    if (body.room.unread) want();
  }

  /** `POST /widget/sessions`: who this visitor is, their conversation, a socket ticket. */
  async function startSession() {
    const req = { site_key: store.key };
    if (store.saved.visitor_id && store.saved.visitor_secret) {
      req.visitor_id = store.saved.visitor_id;
      req.visitor_secret = store.saved.visitor_secret;
    }
    const who = store.saved.identity;
    if (who && who.name) req.name = who.name;
    if (store.user && store.user.user_id && store.user.user_hash) {
      req.user_id = store.user.user_id;
      req.user_hash = store.user.user_hash;
    }
    // Only a plausible address: a refused one would fail the session, not just the field.
    if (who && who.email && EMAIL_LIKE.test(who.email)) req.email = who.email;
    if (store.reopen) req.reopen = store.reopen;
    let res;
    let body = {};
    try {
      res = await fetch(`${store.base}/api/v1/widget/sessions?site_key=${encodeURIComponent(store.key)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(req),
        credentials: 'omit',
      });
      body = await res.json().catch(() => ({}));
    } catch (e) {}
    return { res, body };
  }

  async function connect() {
    clearTimeout(conn.retryTimer);
    if (!conn.wanted || conn.ws || conn.connecting || conn.blocked) return;
    conn.connecting = true;
    setConn(conn.attempt || room.id ? 'reconnecting' : 'connecting');
    const gen = conn.gen;
    const { res, body } = await startSession();
    if (gen !== conn.gen) return;
    conn.connecting = false;
    if (res && res.ok) return socket(body);
    if (body.error === 'visitor_blocked') return block();
    if (body.error === 'invalid_reopen_link') {
      // An old or broken link: the chat goes on as it would have without it.
      store.reopen = '';
      return connect();
    }
    if (res && (res.status === 403 || res.status === 404)) {
      conn.wanted = false;
      site.failed = true;
      setConn('offline');
      return emit('error', { code: body.error || 'http_' + res.status, message: body.message });
    }
    retry(); // the network, a 429 or a 5xx
  }

  /** Takes a start's answer: the visitor's id and secret, their room, the unread count and read marks. */
  function adopt(session) {
    store.reopen = '';
    if (session.availability) availability(session.availability);
    if (session.visitor_secret) {
      store.saved.visitor_id = session.visitor_id;
      store.saved.visitor_secret = session.visitor_secret;
      save();
    }
    const given = session.room;
    if (given.id !== room.id) {
      // Another conversation (this page's first, or after a reset): show its tail.
      for (const n of ui.log.querySelectorAll('[data-pt=message]:not([data-pending]),.day')) n.remove();
      room.msgs.clear();
      room.id = given.id;
      room.baseSeq = given.last_seq;
      const read = store.saved.read;
      room.seenUpto = room.readSent = read && read.room === given.id ? read.seq : 0;
      room.ownerRead = 0;
      room.held = Math.max(0, given.last_seq - HISTORY);
      room.epoch = null;
      // Until this page holds the room's messages, the server's count is the badge.
      if (given.unread != null && given.unread !== view.unread) {
        store.saved.unread = given.unread;
        save();
        badge(given.unread);
      }
    }
    // How far the owners have read, as the server keeps it: read marks survive a reload.
    if (given.owner_read_seq > room.ownerRead) {
      room.ownerRead = given.owner_read_seq;
      seenMarks();
    }
    room.status = given.status;
    room.rated = Boolean(given.rated);
    ratingState();
    conn.token = session.token;
    reportContext();
    // The transcript by mail, for a visitor who left an email (PinTalk('identify')).
    if (ui) ui.mailer.hidden = !store.saved.identity?.email;
  }

  async function mailTranscript() {
    if (!room.id || !conn.token || ui.mailer.dataset.sent) return;
    ui.mailer.disabled = true;
    try {
      const res = await fetch(`${store.base}/api/v1/rooms/${room.id}/transcript/mail`, {
        method: 'POST',
        headers: { authorization: 'Bearer ' + conn.token },
        credentials: 'omit',
      });
      if (res.ok) {
        const { to } = await res.json();
        ui.mailer.dataset.sent = 'true';
        ui.mailer.title = t().mailed.replace('{email}', to);
        ui.mailer.setAttribute('aria-label', ui.mailer.title);
        return;
      }
    } catch (e) {}
    ui.mailer.disabled = false;
  }

  function socket(session) {
    adopt(session);
    // A new visitor's new room has nothing to replay; anyone else resumes (last_seq counts
    // only persisted messages, so it may lag behind what the gateway can replay).
    const resume = {};
    if (room.held || !session.visitor_secret) resume[room.id] = room.epoch == null ? room.held : { seq: room.held, epoch: room.epoch };
    const ws = new WebSocket(session.gateway_url);
    conn.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: session.token, resume }));
    ws.onmessage = (e) => {
      conn.heard = Date.now();
      let f;
      try {
        f = JSON.parse(e.data);
      } catch (x) {
        return;
      }
      frame(f);
    };
    ws.onclose = (e) => conn.ws === ws && lost(e.code);
    // No `ready` in time (a half-open network): start over.
    conn.authTimer = setTimeout(() => conn.ws === ws && !conn.ready && lost(CLOSE_NO_AUTH), AUTH_TIMEOUT_MS);
  }

  function detach() {
    const ws = conn.ws;
    conn.ws = null;
    conn.ready = view.typing = false;
    clearTimeout(conn.authTimer);
    clearInterval(conn.pingTimer);
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onopen = null;
    try {
      ws.close(CLOSE_NORMAL);
    } catch (e) {}
  }

  function lost(code) {
    detach();
    ownerTyping(false);
    if (code === CLOSE_BLOCKED) return block();
    // 1012: the gateway is restarting; another one takes us at once.
    retry(code === CLOSE_RESTART ? 1 + Math.random() * RESTART_JITTER_MS : 0);
  }

  /** Exponential back-off with jitter: between half and all of min(15 s, 0.5 s × 2^n). */
  function retry(delay) {
    if (!conn.wanted || conn.blocked) return;
    setConn('reconnecting');
    const wait = delay || Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** conn.attempt) * (0.5 + Math.random() / 2);
    conn.attempt++;
    clearTimeout(conn.retryTimer);
    conn.retryTimer = setTimeout(connect, wait);
  }

  function block() {
    detach();
    conn.blocked = true;
    conn.wanted = false;
    clearTimeout(conn.retryTimer);
    setConn('offline');
    emit('error', { code: 'visitor_blocked', message: 'the site ended this conversation' });
  }

  function frame(f) {
    switch (f.type) {
      case 'ready':
        clearTimeout(conn.authTimer);
        conn.ready = true;
        conn.attempt = 0;
        setConn('online');
        // Our own pings notice a dead network the browser has not noticed yet.
        conn.heartbeatMs = (f.heartbeat_secs || HEARTBEAT_SECS) * 1000;
        conn.maxBody = f.max_body_chars || MAX_BODY_CHARS;
        canSend();
        conn.pingTimer = setInterval(
          () => (Date.now() - conn.heard > conn.heartbeatMs * SILENT_HEARTBEATS ? lost(CLOSE_SILENT) : sendFrame({ type: 'ping' })),
          conn.heartbeatMs,
        );
        // Whatever was never acked goes again with its cid: stored once, never doubled.
        store.saved.unsent.forEach(push);
        markRead();
        break;
      case 'presence':
        if (f.kind === 'owner' && !f.room) setOwner(f.online);
        break;
      case 'message':
        addMessage(f);
        break;
      case 'ack':
        if (f.room === room.id) sameEpoch(f.epoch);
        if (f.room === room.id && room.pending.has(f.cid)) {
          const stick = nearBottom();
          const m = settle(f.cid, f.seq, f.ts);
          if (stick) toBottom();
          const body = m.querySelector('[data-pt=body]').textContent;
          emit('message', { seq: f.seq, ts: f.ts, body, mine: true, sender: { kind: 'visitor', name: null } });
          // Whoever writes has read up to their own words; the server moves its cursor too.
          if (f.seq > room.seenUpto) {
            room.seenUpto = room.readSent = f.seq;
            store.saved.read = { room: room.id, seq: f.seq };
            save();
            markRead();
          }
        }
        break;
      case 'typing':
        if (f.sender && f.sender.kind === 'owner') ownerTyping(f.active, f.sender.name);
        break;
      case 'read':
        if (f.reader && f.reader.kind === 'owner' && f.seq > room.ownerRead) {
          room.ownerRead = f.seq;
          seenMarks();
        }
        break;
      case 'room':
        if (f.room !== room.id) break;
        room.status = f.status;
        if (f.status === 'closed') room.rated = false; // a new closing asks again
        ratingState();
        break;
      case 'settings':
        if (f.site !== site.cfg.site_id) break;
        resettle(f.widget);
        availability(f.availability);
        break;
      case 'resync':
        if (f.room !== room.id) break;
        if (f.epoch != null) room.epoch = f.epoch;
        forget(f.after_seq);
        history();
        break;
      case 'error':
        if (f.code === 'visitor_blocked') return block();
        if (f.cid && room.pending.has(f.cid)) {
          const item = store.saved.unsent.find((i) => i.cid === f.cid);
          // Retriable (rate limit, an overloaded gateway, a room being restored, …): the
          // same cid again, later.
          if (f.retriable) setTimeout(() => item && push(item), RESEND_MS + Math.random() * RESEND_MS);
          else failed(f.cid);
        }
        emit('error', { code: f.code, message: f.message });
        break;
    }
  }

  // Forgets the visitor on this browser: the next conversation is a new one.
  function reset() {
    conn.gen++;
    detach();
    clearTimeout(conn.retryTimer);
    conn.wanted = conn.blocked = conn.connecting = room.noHttp = room.loading = false;
    conn.attempt = 0;
    try {
      w.localStorage.removeItem(storeKey());
    } catch (e) {}
    store.saved = { unsent: [] };
    store.user = null;
    room.id = conn.token = '';
    room.held = room.seenUpto = room.readSent = room.ownerRead = 0;
    room.epoch = null;
    room.msgs.clear();
    room.pending.clear();
    if (!ui) return;
    for (const n of ui.log.querySelectorAll('[data-pt=message],.day')) n.remove();
    ownerTyping(false);
    setConn('offline');
    markRead();
    if (view.unread) badge(0);
    if (view.open) want();
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
