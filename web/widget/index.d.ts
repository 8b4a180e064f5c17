// Types for pintalk-widget: the ES module's exports and the global `PinTalk` command
// function that the <script> embed defines.

/** What `init` needs when the widget is loaded as a module (the <script> embed reads both from its tag). */
export interface InitOptions {
  /** The site's public key, as in the embed snippet's `data-site-key`. */
  siteKey: string;
  /** The PinTalk server's origin, e.g. `https://chat.example.com`. */
  base: string;
}

/** Who the visitor is. Kept in this browser only; the server does not receive it yet. */
export interface Identity {
  name?: string | null;
  email?: string | null;
}

/** `ready`: the widget loaded its config and drew its launcher. */
export interface ReadyEvent {
  siteId: string;
  /** Whether an owner had the dashboard open when the widget loaded. */
  ownerOnline: boolean;
  /** This browser's visitor id, once a conversation was started here; else null. */
  visitorId: string | null;
  /** What `identify` stored, if anything. */
  identity: { name: string | null; email: string | null } | null;
}

/** `message`: a message that arrived (or was acknowledged) while the page is open. */
export interface ChatMessage {
  /** The message's number in the conversation. */
  seq: number;
  /** Server time, UTC milliseconds. */
  ts: number;
  /** Plain text. */
  body: string;
  /** Sent by this visitor. */
  mine: boolean;
  sender: { kind: 'visitor' | 'owner'; name: string | null };
}

/** `error`: the chat is unavailable here, the visitor was blocked, or a message was refused. */
export interface ChatError {
  /** A stable code: the server's (`origin_not_allowed`, `visitor_blocked`, …) or `unavailable`. */
  code: string;
  message?: string;
}

export interface EventMap {
  ready: ReadyEvent;
  message: ChatMessage;
  /** The number of owner messages the visitor has not seen. */
  unread: number;
  open: undefined;
  close: undefined;
  /** The visitor left (or changed) their email in the away state: the address. */
  email: string;
  /** The visitor rated the closed conversation (1 to 5, and their comment or null). */
  rating: { score: number; comment: string | null };
  error: ChatError;
}

export type EventName = keyof EventMap;
export type Listener<E extends EventName> = (data: EventMap[E]) => void;
/** The built-in strings; any other value falls back to English. */
export type Language = 'en' | 'ko';

/** `PinTalk(command, ...arguments)`: safe to call before the widget has loaded. */
export interface PinTalkCommand {
  (command: 'init', options: InitOptions): void;
  (command: 'open' | 'close' | 'toggle' | 'show' | 'hide' | 'reset'): void;
  (command: 'identify', visitor: Identity): void;
  <E extends EventName>(command: 'on' | 'off', event: E, listener: Listener<E>): void;
  (command: 'locale', language: Language): void;
}

/** The global the embed defines (and the queue stub that stands in for it until then). */
export type PinTalkGlobal = PinTalkCommand & { q?: IArguments[]; loaded?: true; version?: string };

export declare const PinTalk: PinTalkCommand;
export declare function init(options: InitOptions): void;
export declare function open(): void;
export declare function close(): void;
export declare function toggle(): void;
export declare function show(): void;
export declare function hide(): void;
/** Stores the visitor's name and email in this browser (not sent to the server yet). */
export declare function identify(visitor: Identity): void;
export declare function on<E extends EventName>(event: E, listener: Listener<E>): void;
export declare function off<E extends EventName>(event: E, listener: Listener<E>): void;
export declare function locale(language: Language): void;
/** Forgets this browser's visitor (id, secret, unsent messages): the next conversation is new. */
export declare function reset(): void;
export default PinTalk;

declare global {
  interface Window {
    PinTalk: PinTalkGlobal;
  }
}
