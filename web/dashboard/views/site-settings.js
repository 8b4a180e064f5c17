// A site's settings: the snippet and key, the allowed origins, the widget's look with
// a live preview, and how long conversations are kept. Changes are kept as a draft until saved.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon } from '../dom.js';
import { busy, confirmDialog, copyButton, formError, toast } from '../ui.js';
import { blockedVisitors } from './blocked-visitors.js';
import { availabilityEditor } from './hours.js';
import { notLiveNotice } from './not-live.js';
import { originsEditor } from './origins.js';
import { widgetPreview } from './preview.js';
import { ratingsSection } from './ratings.js';
import { retentionSection } from './retention.js';
import { webhooksSection } from './webhooks.js';
import { bansSection } from './bans.js';
import { identitySection } from './identity.js';

const HEX = /^#[0-9a-fA-F]{6}$/;

function draftOf(site) {
  return { name: site.name, allowed_origins: [...site.allowed_origins], widget: { ...site.widget } };
}

function field(label, control, hint = null) {
  return h('label', { class: 'field' }, h('span', { text: label }), control, hint && h('small', { class: 'hint', text: hint }));
}

export function settingsView(app, params) {
  const site = app.site(params.site);
  if (!site) {
    return { el: h('div', { class: 'empty-page' }, h('h1', { text: t('site.notFound') }), h('a', { href: '/sites', text: t('sites.title') })) };
  }
  const justCreated = app.justCreated === site.id;
  app.justCreated = null;
  let saved = draftOf(site);
  let draft = draftOf(site);
  const preview = widgetPreview();
  const notLive = notLiveNotice(app);
  const showLive = () => preview.setLive(Boolean(app.me?.email_verified));
  const offMe = app.on('me', showLive);
  showLive();
  const blocked = blockedVisitors(site);
  const webhooks = webhooksSection(site);
  const bans = bansSection(site);
  const retention = retentionSection(site);
  const ratings = ratingsSection(app, site);
  const identity = identitySection(site);

  // Install: snippet, key.
  const snippet = h('pre', { class: 'snippet', dataset: { pt: 'snippet' } }, h('code', { text: site.snippet }));
  const keyText = h('code', { class: 'key', text: site.site_key });
  const rotate = h('button', { class: 'btn btn-ghost btn-sm', type: 'button' }, icon('key', 16), h('span', { text: t('settings.rotate') }));
  const install = h('section', { class: `card section${justCreated ? ' highlight' : ''}` },
    h('div', { class: 'section-head' },
      h('div', {}, h('h2', { text: justCreated ? t('settings.ready') : t('settings.install') }),
        h('p', { class: 'muted small', text: t('settings.installText') })),
      copyButton(() => snippet.textContent, t('settings.copySnippet'))),
    snippet,
    h('div', { class: 'key-row' }, h('span', { class: 'muted small', text: t('settings.siteKey') }), keyText, rotate));

  // General.
  const name = h('input', { class: 'input', name: 'name', maxlength: '100', required: true, value: site.name });
  const origins = originsEditor(site.allowed_origins, { onChange: (list) => { draft.allowed_origins = list; changed(); } });
  const general = h('section', { class: 'card section' },
    h('h2', { text: t('settings.general') }),
    field(t('settings.siteName'), name),
    h('div', { class: 'field' }, h('span', { class: 'label', text: t('settings.origins') }),
      h('small', { class: 'hint', text: t('settings.originsHint') }),
      origins.el));

  // Widget.
  const w = site.widget;
  const title = h('input', { class: 'input', name: 'title', maxlength: '60', value: w.title });
  const greeting = h('textarea', { class: 'input', name: 'greeting', rows: '2', maxlength: '500' });
  greeting.value = w.greeting;
  const colorPick = h('input', { class: 'color-pick', type: 'color', value: w.accent_color, 'aria-label': t('settings.pickColour') });
  const colorText = h('input', { class: 'input input-mono', name: 'accent_color', value: w.accent_color, maxlength: '7', 'aria-label': t('settings.colourText') });
  const positions = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': t('settings.position') },
    ...['left', 'right'].map((p) => h('button', { type: 'button', role: 'radio', dataset: { value: p }, text: p === 'left' ? t('settings.bottomLeft') : t('settings.bottomRight') })));
  const language = h('select', { class: 'input', name: 'language' },
    h('option', { value: 'en', text: 'English' }), h('option', { value: 'ko', text: '한국어 (Korean)' }));
  language.value = w.language;
  const away = h('textarea', { class: 'input', name: 'away_message', rows: '2', maxlength: '500' });
  away.value = w.away_message;
  const showStatus = h('input', { type: 'checkbox', name: 'show_owner_status', checked: w.show_owner_status });
  const widget = h('section', { class: 'card section' },
    h('h2', { text: t('settings.widget') }),
    h('div', { class: 'grid-2' },
      field(t('settings.title'), title),
      h('div', { class: 'field' }, h('span', { class: 'label', text: t('settings.accent') }), h('div', { class: 'color-row' }, colorPick, colorText))),
    field(t('settings.greeting'), greeting, t('settings.greetingHint')),
    h('div', { class: 'grid-2' },
      h('div', { class: 'field' }, h('span', { class: 'label', text: t('settings.position') }), positions),
      field(t('settings.language'), language)),
    field(t('settings.away'), away, t('settings.awayHint')),
    h('label', { class: 'switch' }, showStatus, h('span', { class: 'switch-track' }),
      h('span', {}, h('strong', { text: t('settings.showStatus') }), h('small', { class: 'hint block', text: t('settings.showStatusHint') }))));

  // Availability: business hours, the away state's email field, the reply time.
  const availability = availabilityEditor({ onChange: (fields) => { Object.assign(draft.widget, fields); changed(); } });

  // Danger zone.
  const remove = h('button', { class: 'btn btn-danger-ghost', type: 'button' }, icon('trash', 16), h('span', { text: t('settings.deleteSite') }));
  const danger = h('section', { class: 'card section danger-zone' },
    h('div', { class: 'section-head' },
      h('div', {}, h('h2', { text: t('settings.deleteThis') }),
        h('p', { class: 'muted small', text: t('settings.deleteNote') })),
      remove));

  const error = formError();
  const save = h('button', { class: 'btn btn-primary', type: 'submit', text: t('settings.save'), disabled: true });
  const discard = h('button', { class: 'btn btn-ghost', type: 'button', text: t('settings.discard'), disabled: true });
  const saveBar = h('div', { class: 'save-bar' }, h('span', { class: 'muted small save-state', text: t('settings.allSaved') }), discard, save);
  const form = h('form', { class: 'settings-form' }, general, widget, availability.el, error, saveBar);

  function paintPositions() {
    for (const b of positions.children) {
      const on = b.dataset.value === draft.widget.position;
      b.classList.toggle('on', on);
      b.setAttribute('aria-checked', String(on));
    }
  }

  const unsaved = () => JSON.stringify(draft) !== JSON.stringify(saved) || Boolean(origins.pending());

  function changed() {
    const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
    save.disabled = !dirty;
    discard.disabled = !dirty;
    saveBar.classList.toggle('dirty', dirty);
    saveBar.querySelector('.save-state').textContent = dirty ? t('settings.unsaved') : t('settings.allSaved');
    preview.update({ ...draft.widget, origin: draft.allowed_origins[0] });
  }

  function fill(from) {
    draft = draftOf(from);
    name.value = from.name;
    origins.set(from.allowed_origins);
    title.value = from.widget.title;
    greeting.value = from.widget.greeting;
    colorPick.value = from.widget.accent_color;
    colorText.value = from.widget.accent_color;
    language.value = from.widget.language;
    away.value = from.widget.away_message;
    showStatus.checked = from.widget.show_owner_status;
    availability.set(from.widget);
    paintPositions();
    changed();
  }

  name.addEventListener('input', () => { draft.name = name.value; changed(); });
  title.addEventListener('input', () => { draft.widget.title = title.value; changed(); });
  greeting.addEventListener('input', () => { draft.widget.greeting = greeting.value; changed(); });
  away.addEventListener('input', () => { draft.widget.away_message = away.value; changed(); });
  language.addEventListener('change', () => { draft.widget.language = language.value; changed(); });
  showStatus.addEventListener('change', () => { draft.widget.show_owner_status = showStatus.checked; changed(); });
  colorPick.addEventListener('input', () => {
    colorText.value = colorPick.value;
    draft.widget.accent_color = colorPick.value;
    changed();
  });
  colorText.addEventListener('input', () => {
    const value = colorText.value.trim();
    colorText.classList.toggle('invalid', !HEX.test(value));
    if (HEX.test(value)) {
      colorPick.value = value.toLowerCase();
      draft.widget.accent_color = value.toLowerCase();
      changed();
    }
  });
  positions.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-value]');
    if (!button) return;
    draft.widget.position = button.dataset.value;
    paintPositions();
    changed();
  });
  discard.addEventListener('click', () => fill(app.site(site.id) ?? site));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    if (!origins.commit()) return;
    draft.allowed_origins = origins.values();
    busy(save, async () => {
      const updated = await api('PATCH', `/sites/${site.id}`, { body: draft });
      saved = draftOf(updated);
      app.putSite(updated);
      heading.textContent = t('settings.heading', { name: updated.name });
      fill(updated);
      toast(t('settings.saved'), 'success');
    }, (err) => error.show(err.message));
  });

  rotate.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: t('settings.rotateTitle'),
      message: t('settings.rotateText'),
      confirmLabel: t('settings.rotate'),
      danger: true,
    });
    if (!ok) return;
    await busy(rotate, async () => {
      const updated = await api('POST', `/sites/${site.id}/key`);
      app.putSite(updated);
      snippet.firstChild.textContent = updated.snippet;
      keyText.textContent = updated.site_key;
      toast(t('settings.newKey'), 'success');
    });
  });

  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: t('settings.deleteTitle', { name: site.name }),
      message: t('settings.deleteText'),
      confirmLabel: t('settings.deleteSite'),
      danger: true,
      typeToConfirm: site.name,
    });
    if (!ok) return;
    await busy(remove, async () => {
      await api('DELETE', `/sites/${site.id}`);
      app.removeSite(site.id);
      toast(t('settings.deleted', { name: site.name }));
      app.navigate('/', { replace: true });
    });
  });

  // Closing the tab or reloading with unsaved changes: the browser asks.
  const onBeforeUnload = (event) => {
    if (!unsaved()) return;
    event.preventDefault();
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);

  const heading = h('h1', { text: t('settings.heading', { name: site.name }) });
  fill(site);
  return {
    /** Whether leaving would lose changes (the app asks before in-app navigation). */
    unsaved,
    destroy() {
      window.removeEventListener('beforeunload', onBeforeUnload);
      notLive.destroy();
      offMe();
    },
    el: h('div', { class: 'page page-wide' },
      h('header', { class: 'page-head' },
        h('div', {}, heading,
          h('p', { class: 'muted', text: t('settings.sub') })),
        h('a', { class: 'btn btn-secondary', href: `/sites/${site.id}` }, icon('inbox', 16), h('span', { text: t('settings.openInbox') }))),
      h('div', { class: 'settings-layout' },
        h('div', { class: 'settings-main' }, notLive.el, install, form, ratings.el, identity.el, retention.el, webhooks.el, blocked.el, bans.el, danger),
        h('aside', { class: 'settings-aside' }, preview.el))),
  };
}
