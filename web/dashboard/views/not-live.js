// Until the owner verifies their email the widget endpoints answer `site_not_live` and
// the widget silently stays away: the site's page and its preview say so, with a button
// that mails a new verification link.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon } from '../dom.js';
import { busy, toast } from '../ui.js';

/**
 * The notice for the site's page; hidden once `app.me` is verified. `destroy()` stops
 * following the owner.
 */
export function notLiveNotice(app) {
  const text = h('span', { class: 'notice-text' });
  const resend = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', dataset: { action: 'resend-verification' } },
    icon('send', 14), h('span', { text: t('notLive.resend') }));
  const el = h('div', { class: 'notice notice-warn', role: 'status', dataset: { notice: 'not-live' } }, icon('bell', 16), text, resend);
  resend.addEventListener('click', () => busy(resend, async () => {
    try {
      await api('POST', '/auth/email/verify/resend');
      text.textContent = t('notLive.sent', { email: app.me.email });
      resend.hidden = true;
    } catch (err) {
      // Verified meanwhile (in another tab, say): the widget is live after all.
      if (err.code === 'email_already_verified') app.setMe({ ...app.me, email_verified: true });
      else toast(err.message, 'error');
    }
  }));
  const paint = () => {
    el.hidden = Boolean(app.me?.email_verified);
    if (!resend.hidden) text.textContent = t('notLive.text', { email: app.me?.email ?? '' });
  };
  paint();
  return { el, destroy: app.on('me', paint) };
}
