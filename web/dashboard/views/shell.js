// The signed-in frame: the sidebar (sites, connection state, the owner) and the main area.

import { t } from '../i18n.js';
import { logout } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { avatar, busy } from '../ui.js';
import { enableNotifications, notificationsSupported, setSoundMuted, soundMuted } from '../notify.js';

const STATE_LABELS = { live: 'conn.live', connecting: 'conn.connecting', offline: 'conn.offline', stopped: 'conn.stopped' };

export function createShell(app) {
  const siteList = h('div', { class: 'site-list' });
  const status = h('div', { class: 'conn-status', role: 'status' });
  const meLink = h('a', { href: '/account', class: 'me-link' });
  const bell = h('button', { class: 'icon-btn', type: 'button' });
  const main = h('main', { class: 'main', id: 'main' });
  const banner = h('div', { class: 'verify-banner', hidden: true });
  // Sign out is always in reach: in the sidebar's foot on a wide screen, in the top bar
  // on a phone (where the sidebar is a drawer).
  const signOut = (where) => {
    const button = h('button', { class: `icon-btn sign-out sign-out-${where}`, type: 'button', 'aria-label': t('account.signOut'), title: t('account.signOut'), dataset: { action: 'sign-out' } }, icon('logout', 18));
    button.addEventListener('click', () => busy(button, () => logout()));
    return button;
  };
  const sidebar = h('aside', { class: 'sidebar' },
    h('div', { class: 'sidebar-head' },
      h('a', { href: '/', class: 'brand' }, h('span', { class: 'brand-mark' }, icon('chat', 16)), h('span', { text: 'PinTalk' })),
      h('button', { class: 'icon-btn menu-close', type: 'button', 'aria-label': t('shell.closeMenu'), onclick: () => toggleMenu(false) }, icon('x'))),
    h('nav', { class: 'site-nav', 'aria-label': t('shell.sites') },
      h('div', { class: 'nav-label' }, h('span', { text: t('shell.sites') }),
        h('a', { href: '/sites', class: 'nav-label-link', text: t('shell.all') })),
      siteList,
      h('a', { href: '/sites/new', class: 'nav-add' }, icon('plus', 16), h('span', { text: t('shell.addSite') }))),
    h('div', { class: 'sidebar-foot' },
      h('div', { class: 'foot-row' }, status, bell),
      h('div', { class: 'me-row' }, meLink, signOut('sidebar'))));
  const topbar = h('header', { class: 'topbar' },
    h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('shell.openMenu'), onclick: () => toggleMenu(true) }, icon('menu')),
    h('a', { href: '/', class: 'brand' }, h('span', { class: 'brand-mark' }, icon('chat', 16)), h('span', { text: 'PinTalk' })),
    signOut('topbar'));
  const scrim = h('div', { class: 'scrim', onclick: () => toggleMenu(false) });
  const el = h('div', { class: 'app' }, sidebar, scrim, h('div', { class: 'main-wrap' }, topbar, banner, main));

  let path = '/';
  let params = {};

  function toggleMenu(open) {
    el.classList.toggle('menu-open', open);
  }

  function renderSites() {
    mount(siteList, app.sites.map((site) => {
      const active = params.site === site.id;
      const unseen = app.unseen.get(site.id) ?? 0;
      const inboxPath = `/sites/${site.id}`;
      const settingsPath = `/sites/${site.id}/settings`;
      return h('div', { class: `site-item${active ? ' active' : ''}` },
        h('a', { href: inboxPath, class: 'site-link', dataset: { site: site.id } },
          h('span', { class: 'site-dot', style: { background: site.widget.accent_color } }),
          h('span', { class: 'site-name', text: site.name }),
          unseen > 0 && h('span', { class: 'badge', text: String(unseen) })),
        active && h('div', { class: 'site-sub' },
          h('a', { href: inboxPath, class: path === inboxPath || path.startsWith(`${inboxPath}/rooms`) ? 'current' : '' }, icon('inbox', 16), h('span', { text: t('nav.inbox') })),
          h('a', { href: settingsPath, class: path === settingsPath ? 'current' : '' }, icon('settings', 16), h('span', { text: t('nav.settings') }))));
    }));
  }

  function renderMe() {
    const me = app.me;
    if (!me) return;
    mount(meLink,
      avatar({ id: me.id, name: me.name, url: me.avatar_url, size: 'sm' }),
      h('span', { class: 'me-text' }, h('strong', { text: me.name }), h('small', { text: me.email })));
    meLink.classList.toggle('current', path === '/account');
    banner.hidden = me.email_verified;
    mount(banner, icon('bell', 16), h('span', {},
      h('strong', { text: t('shell.confirmEmail') }),
      t('shell.verifyText', { email: me.email })));
  }

  function renderStatus() {
    const { state } = app.rt;
    status.dataset.state = state;
    mount(status, h('span', { class: 'conn-dot' }), h('span', { text: STATE_LABELS[state] ? t(STATE_LABELS[state]) : state }));
    status.title = state === 'offline' ? t('conn.retryIn', { s: Math.max(1, Math.round((app.rt.retryAt - Date.now()) / 1000)) }) : '';
  }

  function renderBell() {
    const muted = soundMuted();
    bell.replaceChildren(icon('bell', 18));
    bell.classList.toggle('muted', muted);
    bell.title = muted ? t('shell.soundOff') : t('shell.soundOn');
    bell.setAttribute('aria-label', bell.title);
  }

  bell.addEventListener('click', async () => {
    const muting = !soundMuted();
    setSoundMuted(muting);
    if (!muting && notificationsSupported()) await enableNotifications();
    renderBell();
  });

  const offs = [
    app.on('sites', renderSites),
    app.on('unseen', renderSites),
    app.on('me', renderMe),
    app.rt.on('state', renderStatus),
  ];
  renderSites();
  renderMe();
  renderStatus();
  renderBell();

  return {
    el,
    setRoute(nextPath, nextParams) {
      path = nextPath;
      params = nextParams;
      toggleMenu(false);
      renderSites();
      renderMe();
    },
    setMain(content) {
      mount(main, content);
      main.scrollTop = 0;
    },
    destroy() {
      for (const off of offs) off();
    },
  };
}
