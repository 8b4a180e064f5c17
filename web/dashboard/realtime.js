// The owner's one socket to the gateway (docs/protocol.md): a fresh ticket for every
// connection, `auth` with `resume` (the highest seq held per room, with its epoch),
// exponential back-off with jitter, and the unsent queue: sends that are resent with the same
// cid until acked. Frames are re-dispatched as events named by their `type`. A message or
// ack of a new epoch (the room's numbering was restored after Redis lost data) first
// emits `resync` with `after_seq: 0`: views drop what they hold of the room and reload.

import { api } from './api.js';
import { SessionEnded } from './session.js';

/** Back-off (docs/decisions.md, the widget's too): ½–1 × min(max, first × 2^n). */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;
/** After 1012 (a gateway restarting) another gateway takes us: reconnect within this. */
const RESTART_JITTER_MS = 500;
const CLOSE_RESTART = 1012;
/** The gateway's ping interval until `ready` says, and how many of them make a socket dead. */
const HEARTBEAT_SECS = 20;
const SILENT_HEARTBEATS = 2.5;
/** A retriable refusal of a `send` is retried after this, plus as much jitter. */
const RESEND_MS = 1000;
/** The protocol's limit on a body, until `ready` says. */
const MAX_BODY_CHARS = 4000;
const MAX_RESUME_ROOMS = 200;

/** A client message id: 1 to 64 of A–Z a–z 0–9 _ - (crypto.randomUUID needs a secure context). */
function newCid() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `d-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class Realtime extends EventTarget {
  /** 'connecting' | 'live' | 'offline' | 'stopped' */
  state = 'stopped';
  /** When the next attempt starts, while offline. */
  retryAt = 0;
  /** Sites the current socket was granted. */
  sites = [];
  /** The longest message body the gateway takes (`ready.max_body_chars`). */
  maxBodyChars = MAX_BODY_CHARS;
  /** Room id → the highest seq this client holds (what `resume` asks after). */
  #held = new Map();
  /** Room id → the epoch those seqs belong to, once known. */
  #epochs = new Map();
  /** cid → the `send` frame, until its ack. */
  #unsent = new Map();
  #ws = null;
  #failures = 0;
  #retryTimer = null;
  #beatTimer = null;
  #lastHeard = 0;
  #heartbeatMs = HEARTBEAT_SECS * 1000;
  #connectedBefore = false;
  #generation = 0;

  constructor() {
    super();
    window.addEventListener('online', () => {
      if (this.state === 'offline') this.#connect();
    });
  }

  start() {
    if (this.state !== 'stopped') return;
    this.#connect();
  }

  stop() {
    this.#generation++;
    this.#setState('stopped');
    clearTimeout(this.#retryTimer);
    this.#detach(1000);
    this.#unsent.clear();
    this.#held.clear();
    this.#connectedBefore = false;
  }

  /** Reconnects at once with a fresh ticket (e.g. to be granted a site just created). */
  reconnect() {
    if (this.state === 'stopped') return;
    this.#detach(1000);
    this.#connect();
  }

  /** Resolves on the next `ready`, or after `ms` (the views must not wait on a dead gateway). */
  whenReady(ms) {
    if (this.state === 'live') return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.on('ready', () => {
        off();
        resolve();
      });
      setTimeout(() => {
        off();
        resolve();
      }, ms);
    });
  }

  /** Subscribes to a frame type (or 'state'); returns the unsubscribe function. */
  on(type, fn) {
    const listener = (event) => fn(event.detail);
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  /** Records that the client holds `room` up to `seq` (only ever raises), in `epoch`. */
  hold(room, seq, epoch) {
    if (!this.#sameEpoch(room, epoch)) return;
    if (seq > (this.#held.get(room) ?? 0)) this.#held.set(room, seq);
  }

  /**
   * Whether `epoch` is the numbering this client holds `room` in (remembering it if none
   * was known); if not, everything held of the room is void: `resync` from 0.
   */
  #sameEpoch(room, epoch) {
    if (epoch == null) return true;
    const known = this.#epochs.get(room);
    this.#epochs.set(room, epoch);
    if (known == null || known === epoch) return true;
    this.#held.set(room, 0);
    this.#emit('resync', { type: 'resync', room, after_seq: 0, epoch });
    return false;
  }

  /** What `auth` resumes: per room the seq held, with its epoch when known. */
  #resume() {
    const rooms = [...this.#held.entries()].slice(-MAX_RESUME_ROOMS);
    return Object.fromEntries(
      rooms.map(([room, seq]) => {
        const epoch = this.#epochs.get(room);
        return [room, epoch == null ? seq : { seq, epoch }];
      }),
    );
  }

  /**
   * Queues a message (an internal note when `note`); it is sent now if live, else on the
   * next `ready`. Returns its cid.
   */
  send(room, body, { note = false } = {}) {
    const frame = { type: 'send', room, body, cid: newCid() };
    if (note) frame.note = true;
    this.#unsent.set(frame.cid, frame);
    this.#write(frame);
    return frame.cid;
  }

  /** Sends a failed message again with its original cid. */
  resend(frame) {
    this.#unsent.set(frame.cid, frame);
    this.#write(frame);
  }

  /** Typing a note (`note`) is heard by members only. */
  typing(room, active, { note = false } = {}) {
    this.#write(note ? { type: 'typing', room, active, note } : { type: 'typing', room, active });
  }

  /** Marks `room` read up to `seq`; false if the socket is not live (try again on `ready`). */
  read(room, seq) {
    return this.#write({ type: 'read', room, seq });
  }

  #write(frame) {
    if (this.state === 'live' && this.#ws?.readyState === WebSocket.OPEN) {
      this.#ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #setState(state) {
    this.state = state;
    this.#emit('state', { state, retryAt: this.retryAt });
  }

  async #connect() {
    clearTimeout(this.#retryTimer);
    const generation = ++this.#generation;
    this.#setState('connecting');
    let ticket;
    try {
      ticket = await api('POST', '/realtime/token');
    } catch (err) {
      if (generation !== this.#generation) return;
      if (err instanceof SessionEnded) {
        this.stop();
        return;
      }
      this.#retry();
      return;
    }
    if (generation !== this.#generation) return;
    const ws = new WebSocket(ticket.gateway_url);
    this.#ws = ws;
    ws.onopen = () => {
      const auth = { type: 'auth', token: ticket.token };
      // A first connection has missed nothing: the views load over HTTP once it is ready.
      if (this.#connectedBefore && this.#held.size) {
        auth.resume = this.#resume();
      }
      ws.send(JSON.stringify(auth));
    };
    ws.onmessage = (event) => {
      this.#lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.#receive(frame);
    };
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#emit('closed', { code: event.code, reason: event.reason });
      this.#retry(event.code === CLOSE_RESTART ? 1 + Math.random() * RESTART_JITTER_MS : 0);
    };
  }

  /** Drops the current socket without waiting for its close handshake. */
  #detach(code) {
    clearInterval(this.#beatTimer);
    const ws = this.#ws;
    this.#ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close(code);
    } catch {
      // Already closing.
    }
  }

  /** Reconnects after `delay`, or by default after the back-off: between half and all of min(15 s, 0.5 s × 2^n). */
  #retry(delay = 0) {
    if (this.state === 'stopped') return;
    clearInterval(this.#beatTimer);
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.#failures);
    delay ||= ceiling / 2 + Math.random() * (ceiling / 2);
    this.#failures++;
    this.retryAt = Date.now() + delay;
    this.#setState('offline');
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #receive(frame) {
    switch (frame.type) {
      case 'ready':
        this.#failures = 0;
        this.sites = frame.sites ?? [];
        this.#heartbeatMs = (frame.heartbeat_secs ?? HEARTBEAT_SECS) * 1000;
        this.maxBodyChars = frame.max_body_chars ?? MAX_BODY_CHARS;
        this.#startHeartbeat();
        this.#setState('live');
        this.#emit('ready', { ...frame, reconnected: this.#connectedBefore });
        this.#connectedBefore = true;
        for (const send of this.#unsent.values()) this.#write(send);
        return;
      case 'message': {
        this.#sameEpoch(frame.room, frame.epoch);
        // `fresh`: not a seq this client already held (a replay may repeat one).
        const held = this.#held.get(frame.room) ?? 0;
        const fresh = frame.seq > held;
        // Re-inserted so the most recently active rooms are the ones resumed.
        this.#held.delete(frame.room);
        this.#held.set(frame.room, Math.max(held, frame.seq));
        this.#emit('message', { ...frame, fresh });
        return;
      }
      case 'ack':
        this.#sameEpoch(frame.room, frame.epoch);
        this.#unsent.delete(frame.cid);
        this.#emit('ack', frame);
        return;
      case 'resync':
        // What is held after `after_seq` is void (a new epoch says 0): views reload it.
        if (frame.epoch != null) this.#epochs.set(frame.room, frame.epoch);
        this.#held.set(frame.room, Math.min(this.#held.get(frame.room) ?? 0, frame.after_seq));
        this.#emit('resync', frame);
        return;
      case 'error':
        if (frame.cid && this.#unsent.has(frame.cid)) {
          const send = this.#unsent.get(frame.cid);
          if (frame.retriable) {
            setTimeout(() => this.#write(send), RESEND_MS + Math.random() * RESEND_MS);
            return;
          }
          this.#unsent.delete(frame.cid);
          this.#emit('send-failed', { ...frame, frame: send });
          return;
        }
        this.#emit('error', frame);
        return;
      case 'pong':
        return;
      default:
        this.#emit(frame.type, frame);
    }
  }

  /** Pings the gateway; a socket silent for SILENT_HEARTBEATS heartbeats is presumed dead and replaced. */
  #startHeartbeat() {
    clearInterval(this.#beatTimer);
    this.#lastHeard = Date.now();
    this.#beatTimer = setInterval(() => {
      if (Date.now() - this.#lastHeard > this.#heartbeatMs * SILENT_HEARTBEATS) {
        this.#detach(4000);
        this.#emit('closed', { code: 0, reason: 'silent' });
        this.#retry();
        return;
      }
      this.#write({ type: 'ping' });
    }, this.#heartbeatMs);
  }
}
