// The dashboard's service worker: shows the Web Push notifications the server sends for
// visitor messages nobody read (docs/api.md, "Web Push") and opens the conversation when
// one is clicked. A push while a dashboard tab is in view shows nothing: that tab tells
// the owner itself (title, icon badge, chime).

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let push = null;
  try {
    push = event.data?.json() ?? null;
  } catch {
    push = null;
  }
  if (push) event.waitUntil(show(push));
});

async function show(push) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (windows.some((w) => w.visibilityState === 'visible')) return;
  const more = push.count > 1 ? ` (+${push.count - 1})` : '';
  await self.registration.showNotification(push.title, {
    body: `${push.body}${more}`,
    tag: push.room,
    renotify: true,
    icon: '/icon-192.png',
    badge: '/icon-192.png',
    data: { url: push.url },
  });
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(open(event.notification.data?.url ?? '/'));
});

/** Focuses a dashboard tab on `path` (telling it to go there), or opens one. */
async function open(path) {
  const target = new URL(path, self.location.origin);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tab = windows.find((w) => new URL(w.url).pathname === target.pathname) ?? windows[0];
  if (!tab) return self.clients.openWindow(target.href);
  await tab.focus();
  tab.postMessage({ type: 'open', path: target.pathname });
  return tab;
}
