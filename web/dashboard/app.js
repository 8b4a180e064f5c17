// The dashboard's entry point: the app context shared by the views, the route table, and
// what happens when the session starts or ends.

import { t, useOwnerLanguage } from './i18n.js';
import { api } from './api.js';
import { announce } from './notify.js';
import { onOpenRequest, registerServiceWorker } from './push.js';
import { Realtime } from './realtime.js';
import { compile, interceptLinks } from './router.js';
import { session, SessionEnded } from './session.js';
import { confirmDialog, toast, visitorName } from './ui.js';
import { h } from './dom.js';
import { loginView, signupView, forgotView, verifyView, resetView, changeEmailView, invitationView } from './views/auth.js';
import { createShell } from './views/shell.js';
import { sitesView, newSiteView } from './views/sites.js';
import { inboxView } from './views/inbox.js';
import { settingsView } from './views/site-settings.js';
import { accountView } from './views/account.js';

/** What the signed-in views share: the owner, their sites and the socket. */
const app = {
  rt: new Realtime(),
  me: null,
  sites: [],
  /** The room whose conversation is on screen, if any. */
  visibleRoom: null,
  /** The site just registered, whose settings page then greets the owner with the snippet. */
  justCreated: null,
  /** Site id → visitor messages that arrived live while that site's inbox was not open. */
  unseen: new Map(),
  events: new EventTarget(),
  navigate,

  on(name, fn) {
    const listener = () => fn();
    app.events.addEventListener(name, listener);
    return () => app.events.removeEventListener(name, listener);
  },
  emit(name) {
    app.events.dispatchEvent(new Event(name));
  },
  site(id) {
    return app.sites.find((s) => s.id === id) ?? null;
  },
  setMe(me) {
    app.me = me;
    app.emit('me');
  },
  async loadSites() {
    app.sites = await api('GET', '/sites');
    app.emit('sites');
    app.grantCheck();
  },
  putSite(site) {
    const i = app.sites.findIndex((s) => s.id === site.id);
    if (i >= 0) app.sites[i] = site;
    else app.sites.push(site);
    app.emit('sites');
    app.grantCheck();
  },
  removeSite(id) {
    app.sites = app.sites.filter((s) => s.id !== id);
    app.emit('sites');
  },
  /**
   * The socket's grant lists the sites at connect time: a new site needs a new socket
   * (asked once per site, so a site the server does not grant cannot loop).
   */
  grantCheck() {
    if (app.rt.state !== 'live') return;
    const missing = app.sites.filter((s) => !app.rt.sites.includes(s.id) && !regranted.has(s.id));
    if (!missing.length) return;
    for (const s of missing) regranted.add(s.id);
    app.rt.reconnect();
  },
  /** After signing in: where the owner was headed, or home. */
  afterSignIn() {
    const next = sessionStorage.getItem('pintalk.next');
    sessionStorage.removeItem('pintalk.next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  },
  clearUnseen(siteId) {
    if (app.unseen.delete(siteId)) app.emit('unseen');
  },
};

/** Sites a new socket was already opened for, to be granted them. */
const regranted = new Set();
app.rt.on('ready', () => app.grantCheck());
// A member's access changed (removed from a workspace, given other sites): the socket
// reconnects with a new ticket on its own; the site list is read again to match it.
app.rt.on('error', (e) => {
  if (e.code === 'access_changed') app.loadSites().catch(() => {});
});

const routes = [
  { path: '/login', view: loginView, guest: true },
  { path: '/signup', view: signupView, guest: true },
  { path: '/forgot-password', view: forgotView, guest: true },
  { path: '/verify-email', view: verifyView, open: true },
  { path: '/reset-password', view: resetView, open: true },
  { path: '/change-email', view: changeEmailView, open: true },
  { path: '/accept-invitation', view: invitationView, open: true },
  { path: '/', home: true },
  { path: '/sites', view: sitesView },
  { path: '/sites/new', view: newSiteView },
  { path: '/sites/:site', view: inboxView, key: 'inbox' },
  { path: '/sites/:site/rooms/:room', view: inboxView, key: 'inbox' },
  { path: '/sites/:site/settings', view: settingsView },
  { path: '/account', view: accountView },
].map((r) => ({ ...r, match: compile(r.path) }));

const root = document.getElementById('app');
let shell = null;
let current = null;
let renderCount = 0;

function navigate(path, { replace = false } = {}) {
  if (path !== location.pathname + location.search) {
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
  }
  render();
}

/**
 * Loads the owner and their sites and opens the socket, once per sign-in. The views load
 * their data after the socket is ready (or has had a few seconds), so nothing published
 * between an HTTP load and the subscription is missed.
 */
async function start() {
  const [me] = await Promise.all([api('GET', '/me'), app.loadSites()]);
  app.me = me;
  useOwnerLanguage(me.language);
  app.rt.start();
  await app.rt.whenReady(3000);
}

function dropShell() {
  shell?.destroy();
  shell = null;
}

function unmount() {
  current?.view.destroy?.();
  current = null;
}

function fatal(err) {
  unmount();
  dropShell();
  root.replaceChildren(h('div', { class: 'auth-page' }, h('div', { class: 'auth-card' },
    h('h1', { text: t('app.unreachable') }),
    h('p', { class: 'muted', text: err.message }),
    h('button', { class: 'btn btn-primary', type: 'button', text: t('app.tryAgain'), onclick: () => render() }))));
}

async function render() {
  const count = ++renderCount;
  const path = location.pathname;
  shownPath = path + location.search;
  let route = null;
  let params = null;
  for (const r of routes) {
    params = r.match(path);
    if (params) {
      route = r;
      break;
    }
  }
  const signedIn = session.signedIn();
  if (route?.guest && signedIn) return navigate('/', { replace: true });
  if (route?.guest || route?.open) {
    unmount();
    dropShell();
    current = { route, view: route.view(app, params) };
    root.replaceChildren(current.view.el);
    return;
  }
  if (!signedIn) {
    if (path !== '/') sessionStorage.setItem('pintalk.next', path);
    return navigate('/login', { replace: true });
  }
  if (!app.me) {
    root.replaceChildren(h('div', { class: 'boot' }, h('div', { class: 'spinner' })));
    try {
      await start();
    } catch (err) {
      if (!(err instanceof SessionEnded)) fatal(err);
      return;
    }
    if (count !== renderCount) return;
  }
  if (route?.home) return navigate(app.sites.length ? `/sites/${app.sites[0].id}` : '/sites/new', { replace: true });
  if (!shell) {
    unmount();
    shell = createShell(app);
    root.replaceChildren(shell.el);
  }
  shell.setRoute(path, params ?? {});
  if (route && current?.route.key && current.route.key === route.key && current.view.update?.(params)) {
    current.route = route;
    return;
  }
  unmount();
  const view = route
    ? route.view(app, params)
    : { el: h('div', { class: 'empty-page' }, h('h1', { text: t('app.notFound') }), h('a', { href: '/', text: t('app.backToDashboard') })) };
  current = { route: route ?? {}, view };
  shell.setMain(view.el);
}

session.onChange((pair, reason) => {
  if (pair) {
    // Signed in from another tab while this one shows a sign-in page.
    if (reason === 'other-tab' && current?.route.guest) navigate('/', { replace: true });
    return;
  }
  app.rt.stop();
  regranted.clear();
  app.me = null;
  app.sites = [];
  app.unseen.clear();
  if (reason === 'expired') toast(t('session.ended'), 'error');
  const onOpenPage = routes.some((r) => r.open && r.match(location.pathname));
  if (!onOpenPage) navigate('/login', { replace: true });
});

// Live visitor messages: counts for sites not on screen, and alerts while the tab is hidden.
app.rt.on('message', (m) => {
  if (!m.fresh || m.sender.kind !== 'visitor') return;
  const onScreen = app.visibleRoom === m.room && document.visibilityState === 'visible';
  const inbox = `/sites/${m.site}`;
  const inboxOpen = location.pathname === inbox || location.pathname.startsWith(`${inbox}/rooms/`);
  if (!onScreen && !inboxOpen) {
    app.unseen.set(m.site, (app.unseen.get(m.site) ?? 0) + 1);
    app.emit('unseen');
  }
  const site = app.site(m.site);
  announce({
    title: `${visitorName({ id: m.sender.id, name: m.sender.name })} · ${site?.name ?? 'PinTalk'}`,
    body: m.body,
    tag: m.room,
    onOpen: () => navigate(`/sites/${m.site}/rooms/${m.room}`),
  });
});

/** The path the views on screen were rendered for. */
let shownPath = location.pathname + location.search;

/** Asks before the owner leaves a view with unsaved changes; resolves whether to leave. */
function mayLeave() {
  if (!current?.view.unsaved?.()) return Promise.resolve(true);
  return confirmDialog({
    title: t('leave.title'),
    message: t('leave.message'),
    confirmLabel: t('leave.confirm'),
    danger: true,
  });
}

interceptLinks(async (path) => {
  if (await mayLeave()) navigate(path);
});
window.addEventListener('popstate', async () => {
  const target = location.pathname + location.search;
  if (current?.view.unsaved?.() && target !== shownPath) {
    // Back to where the owner was until they decide; the history entry is added again.
    history.pushState(null, '', shownPath);
    if (await mayLeave()) navigate(target);
    return;
  }
  render();
});
render();
// The service worker shows pushes while no tab is in view; registering asks nothing.
registerServiceWorker();
onOpenRequest(async (path) => {
  if (await mayLeave()) navigate(path);
});
