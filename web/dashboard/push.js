// Web Push on this device: the service worker (sw.js) is registered on every load — that
// asks nothing of the owner — and pushes are turned on only from the account page's
// button, which asks for the browser's permission then (never on load), subscribes with
// the server's VAPID key and hands the subscription to the server.

import { api } from './api.js';

export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** Registers the service worker (it shows pushes); a browser without one gets none. */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register('/sw.js').catch((err) => {
    console.warn('PinTalk: the service worker did not register:', err);
    return null;
  });
}

/** The service worker's "open this conversation" (a notification was clicked) routes here. */
export function onOpenRequest(open) {
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'open' && typeof event.data.path === 'string') open(event.data.path);
  });
}

/** base64url (the server's key) as the bytes `PushManager.subscribe` takes. */
function bytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function base64url(buffer) {
  return btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Where this device stands: 'unsupported', 'unavailable' (the server does not push),
 * 'denied' (the browser's permission), 'on' or 'off'.
 */
export async function pushState() {
  if (!pushSupported()) return 'unsupported';
  const { application_server_key: key, subscriptions } = await api('GET', '/me/push');
  if (!key) return 'unavailable';
  if (Notification.permission === 'denied') return 'denied';
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  const known = subscription && subscriptions.some((s) => s.endpoint === subscription.endpoint);
  return Notification.permission === 'granted' && known ? 'on' : 'off';
}

/** From a click: asks the browser's permission, subscribes, tells the server; the new state. */
export async function enablePush() {
  const { application_server_key: key } = await api('GET', '/me/push');
  if (!key) return 'unavailable';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  // A subscription made with another key (the server's key changed) cannot be pushed to.
  const current = subscription?.options?.applicationServerKey;
  if (subscription && current && base64url(current) !== key) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(key) });
  await api('POST', '/me/push/subscriptions', { body: subscription.toJSON() });
  return 'on';
}

/** Stops pushes to this device: the browser's subscription and the server's record. */
export async function disablePush() {
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return 'off';
  const { subscriptions } = await api('GET', '/me/push');
  const stored = subscriptions.find((s) => s.endpoint === subscription.endpoint);
  if (stored) await api('DELETE', `/me/push/subscriptions/${stored.id}`);
  await subscription.unsubscribe();
  return 'off';
}
