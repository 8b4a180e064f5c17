// A static mock of the widget on a page, drawn from the site's settings as they are
// being edited. It does not load the real widget: it only shows what the settings change.

import { t } from '../i18n.js';
import { h, icon, mount } from '../dom.js';

const TEXT = {
  en: { online: 'Online', away: 'Away', placeholder: 'Write a message…', sample: 'Hi! Do you ship abroad?', reply: 'We do — to over 40 countries.' },
  ko: { online: '온라인', away: '자리 비움', placeholder: '메시지를 입력하세요…', sample: '안녕하세요! 해외 배송 되나요?', reply: '네, 40개 이상의 나라로 배송해요.' },
};

/** Dark or light text, whichever reads better on `hex`. */
export function textOn(hex) {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#111827' : '#ffffff';
}

export function widgetPreview() {
  const stage = h('div', { class: 'preview-stage', dataset: { pt: 'preview' } });
  let online = true;
  let last = null;
  const toggle = h('div', { class: 'segmented segmented-sm', role: 'group', 'aria-label': t('preview.as') },
    ...[[t('preview.ownerOnline'), true], [t('preview.ownerAway'), false]].map(([label, value]) => h('button', {
      type: 'button', text: label, class: value ? 'on' : '',
      onclick: (event) => {
        online = value;
        for (const b of toggle.children) b.classList.toggle('on', b === event.currentTarget);
        if (last) draw(last);
      },
    })));

  function draw(settings) {
    last = settings;
    const sample = TEXT[settings.language] ?? TEXT.en;
    const accent = /^#[0-9a-fA-F]{6}$/.test(settings.accent_color) ? settings.accent_color : '#4f46e5';
    const ink = textOn(accent);
    const showStatus = settings.show_owner_status;
    const panel = h('div', { class: 'pv-panel' },
      h('div', { class: 'pv-head', style: { background: accent, color: ink } },
        h('div', { class: 'pv-title', text: settings.title || ' ' }),
        showStatus && h('div', { class: 'pv-status' },
          h('span', { class: `pv-dot ${online ? 'on' : ''}` }), h('span', { text: online ? sample.online : sample.away }))),
      h('div', { class: 'pv-body' },
        settings.greeting && h('div', { class: 'pv-msg pv-theirs', text: settings.greeting }),
        !online && settings.away_message && h('div', { class: 'pv-note', text: settings.away_message }),
        h('div', { class: 'pv-msg pv-mine', style: { background: accent, color: ink }, text: sample.sample }),
        online && h('div', { class: 'pv-msg pv-theirs', text: sample.reply })),
      h('div', { class: 'pv-input' },
        h('span', { text: sample.placeholder }),
        h('span', { class: 'pv-send', style: { background: accent, color: ink } }, icon('send', 14))));
    const launcher = h('div', { class: 'pv-launcher', style: { background: accent, color: ink } }, icon('chat', 22));
    const corner = h('div', { class: `pv-corner pv-${settings.position === 'left' ? 'left' : 'right'}` }, panel, launcher);
    mount(stage,
      h('div', { class: 'pv-browser' },
        h('div', { class: 'pv-chrome' }, h('i'), h('i'), h('i'), h('span', { class: 'pv-url', text: settings.origin || 'https://your-site.example' })),
        h('div', { class: 'pv-page' },
          h('div', { class: 'pv-line w60' }), h('div', { class: 'pv-line w90' }), h('div', { class: 'pv-line w75' }),
          h('div', { class: 'pv-block' }), h('div', { class: 'pv-line w80' }), h('div', { class: 'pv-line w50' }),
          corner)));
  }

  // Over the mock page: the real widget would not load there yet.
  const notLive = h('div', { class: 'pv-not-live', role: 'note', hidden: true, dataset: { pt: 'not-live' } },
    icon('bell', 14), h('span', { text: t('preview.notLive') }));
  return {
    el: h('div', { class: 'preview' },
      h('div', { class: 'preview-head' }, h('h2', { text: t('preview.title') }), toggle),
      h('div', { class: 'preview-frame' }, stage, notLive)),
    update: draw,
    /** Whether the widget is live; when not, the preview says it would not load. */
    setLive(live) {
      notLive.hidden = live;
    },
  };
}
