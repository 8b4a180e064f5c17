// The availability settings of a site: business hours (one opening a day, in an IANA
// time zone; off means always within hours), whether the away state asks for the
// visitor's email, and the reply time it promises. The API takes several openings a day;
// this editor keeps the first of each day.

import { t } from '../i18n.js';
import { h } from '../dom.js';

/** The days as the API names them, Monday first, with their strings. */
const DAYS = {
  mon: 'hours.day.mon',
  tue: 'hours.day.tue',
  wed: 'hours.day.wed',
  thu: 'hours.day.thu',
  fri: 'hours.day.fri',
  sat: 'hours.day.sat',
  sun: 'hours.day.sun',
};
const EMAIL_FIELDS = { off: 'hours.email.off', optional: 'hours.email.optional', required: 'hours.email.required' };
const REPLY_TIMES = { minutes: 'hours.reply.minutes', hours: 'hours.reply.hours', day: 'hours.reply.day' };
const WORKDAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri']);
const OPENS = '09:00';
const CLOSES = '18:00';

const zones = () => (Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : []);
const hereZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function choice(name, options) {
  return h('select', { class: 'input', name }, ...Object.entries(options).map(([value, key]) => h('option', { value, text: t(key) })));
}

/** The section; `onChange(fields)` gets the widget fields it sets. */
export function availabilityEditor({ onChange }) {
  const enabled = h('input', { type: 'checkbox', name: 'business_hours_on' });
  const zone = h('input', { class: 'input', name: 'time_zone', list: 'pt-zones', maxlength: '64', autocomplete: 'off' });
  const zoneList = h('datalist', { id: 'pt-zones' }, ...zones().map((z) => h('option', { value: z })));
  const rows = Object.entries(DAYS).map(([day, key]) => {
    const name = t(key);
    const open = h('input', { type: 'checkbox', name: `day_${day}` });
    const from = h('input', { class: 'input', type: 'time', name: `opens_${day}`, 'aria-label': `${name} ${t('hours.opens')}` });
    const to = h('input', { class: 'input', type: 'time', name: `closes_${day}`, 'aria-label': `${name} ${t('hours.closes')}` });
    const el = h('div', { class: 'hours-row', dataset: { day } },
      h('label', { class: 'hours-day' }, open, h('span', { text: name })), from, h('span', { class: 'muted', text: '–' }), to);
    return { day, open, from, to, el };
  });
  const table = h('div', { class: 'hours-table', dataset: { pt: 'hours' } }, ...rows.map((r) => r.el));
  const zoneField = h('label', { class: 'field' }, h('span', { text: t('hours.timeZone') }), zone, zoneList);
  const email = choice('email_field', EMAIL_FIELDS);
  const reply = choice('reply_time', REPLY_TIMES);

  function paint() {
    const on = enabled.checked;
    zoneField.hidden = !on;
    table.hidden = !on;
    for (const r of rows) {
      r.from.disabled = r.to.disabled = !on || !r.open.checked;
    }
  }

  /** The widget fields as the form stands. */
  function fields() {
    const business_hours = enabled.checked
      ? {
        time_zone: zone.value.trim(),
        weekly: rows.filter((r) => r.open.checked).map((r) => ({ day: r.day, open: r.from.value || OPENS, close: r.to.value === '00:00' ? '24:00' : r.to.value || CLOSES })),
      }
      : null;
    return { business_hours, email_field: email.value, reply_time: reply.value };
  }

  /** Shows a site's widget settings. */
  function set(widget) {
    const hours = widget.business_hours;
    enabled.checked = Boolean(hours);
    zone.value = hours?.time_zone || hereZone();
    for (const r of rows) {
      const span = hours?.weekly.find((s) => s.day === r.day);
      r.open.checked = hours ? Boolean(span) : WORKDAYS.has(r.day);
      r.from.value = span?.open || OPENS;
      r.to.value = span ? (span.close === '24:00' ? '00:00' : span.close) : CLOSES;
    }
    email.value = widget.email_field || 'optional';
    reply.value = widget.reply_time || 'minutes';
    paint();
  }

  const changed = () => {
    paint();
    onChange(fields());
  };
  for (const control of [enabled, zone, email, reply, ...rows.flatMap((r) => [r.open, r.from, r.to])]) {
    control.addEventListener(control.type === 'checkbox' || control.tagName === 'SELECT' ? 'change' : 'input', changed);
  }

  const el = h('section', { class: 'card section', dataset: { pt: 'availability' } },
    h('h2', { text: t('hours.title') }),
    h('p', { class: 'muted small', text: t('hours.sub') }),
    h('label', { class: 'switch' }, enabled, h('span', { class: 'switch-track' }),
      h('span', {}, h('strong', { text: t('hours.on') }), h('small', { class: 'hint block', text: t('hours.onHint') }))),
    zoneField,
    table,
    h('div', { class: 'grid-2' },
      h('label', { class: 'field' }, h('span', { text: t('hours.emailField') }), email, h('small', { class: 'hint', text: t('hours.emailHint') })),
      h('label', { class: 'field' }, h('span', { text: t('hours.replyTime') }), reply)));
  return { el, set };
}
