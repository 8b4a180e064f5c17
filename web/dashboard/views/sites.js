// The owner's sites: the list, and registering a new one.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon } from '../dom.js';
import { busy, formError } from '../ui.js';
import { originsEditor } from './origins.js';

export function sitesView(app) {
  const grid = h('div', { class: 'site-grid' });
  function render() {
    grid.replaceChildren(...app.sites.map((site) => h('article', { class: 'card site-card' },
      h('div', { class: 'site-card-band', style: { background: site.widget.accent_color } }),
      h('div', { class: 'site-card-body' },
        h('h2', { text: site.name }),
        h('p', { class: 'muted small', text: site.allowed_origins.length
          ? site.allowed_origins.join(', ')
          : t('sites.noOrigins') }),
        h('code', { class: 'key', text: site.site_key })),
      h('div', { class: 'site-card-actions' },
        h('a', { class: 'btn btn-secondary btn-sm', href: `/sites/${site.id}` }, icon('inbox', 16), h('span', { text: t('nav.inbox') })),
        h('a', { class: 'btn btn-ghost btn-sm', href: `/sites/${site.id}/settings` }, icon('settings', 16), h('span', { text: t('nav.settings') }))))),
    h('a', { class: 'card site-card site-card-new', href: '/sites/new' }, icon('plus', 22), h('span', { text: t('shell.addSite') })));
  }
  const off = app.on('sites', render);
  render();
  return {
    el: h('div', { class: 'page' },
      h('header', { class: 'page-head' },
        h('div', {}, h('h1', { text: t('sites.title') }), h('p', { class: 'muted', text: t('sites.sub') }))),
      grid),
    destroy: off,
  };
}

export function newSiteView(app) {
  const name = h('input', { class: 'input', name: 'name', required: true, maxlength: '100', placeholder: t('sites.namePlaceholder'), autofocus: true });
  const origins = originsEditor([]);
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: t('sites.create') });
  const form = h('form', { class: 'card form form-card' },
    h('label', { class: 'field' }, h('span', { text: t('settings.siteName') }), name,
      h('small', { class: 'hint', text: t('sites.onlyYou') })),
    h('div', { class: 'field' }, h('span', { class: 'label', text: t('settings.origins') }),
      h('small', { class: 'hint', text: t('sites.originsHint') }),
      origins.el),
    error,
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    if (!origins.commit()) return;
    busy(submit, async () => {
      const site = await api('POST', '/sites', { body: { name: name.value.trim(), allowed_origins: origins.values() } });
      app.justCreated = site.id;
      app.putSite(site);
      app.navigate(`/sites/${site.id}/settings`);
    }, (err) => error.show(err.message));
  });
  return {
    el: h('div', { class: 'page page-narrow' },
      h('header', { class: 'page-head' },
        h('div', {}, h('h1', { text: app.sites.length ? t('shell.addSite') : t('sites.first') }),
          h('p', { class: 'muted', text: t('sites.snippetNote') }))),
      form),
  };
}
