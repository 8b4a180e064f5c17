// Telling the owner about a visitor's message while the tab is in the background: a
// desktop notification, a short chime (synthesised, so no sound file), and a count in
// the tab's title. Permission is asked once, from a click.

/** Set by "Not now": the owner declined the offer (the browser's permission is still undecided). */
const ASKED = 'pintalk.notifications.asked';
const MUTED = 'pintalk.sound.muted';
const BASE_TITLE = 'PinTalk';

let audio = null;
let unseen = 0;

export function notificationsSupported() {
  return 'Notification' in window;
}

/** Whether to offer the "enable notifications" prompt: permission undecided and not declined. */
export function shouldOfferNotifications() {
  return notificationsSupported() && Notification.permission === 'default' && !localStorage.getItem(ASKED);
}

/** Must run inside a user gesture: asks for notification permission and unlocks audio. */
export async function enableNotifications() {
  unlockAudio();
  if (!notificationsSupported()) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

export function dismissNotificationOffer() {
  localStorage.setItem(ASKED, '1');
}

export function soundMuted() {
  return localStorage.getItem(MUTED) === '1';
}

export function setSoundMuted(muted) {
  if (muted) localStorage.setItem(MUTED, '1');
  else localStorage.removeItem(MUTED);
}

/** Browsers only let audio start after a gesture; call from one (any click will do). */
export function unlockAudio() {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') audio.resume();
  } catch {
    audio = null;
  }
}

function chime() {
  if (!audio || soundMuted()) return;
  const now = audio.currentTime;
  for (const [i, freq] of [880, 1318.5].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const start = now + i * 0.12;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.4);
  }
}

/**
 * A visitor wrote while the tab is hidden: notify, chime, count. `onOpen` runs when the
 * notification is clicked.
 */
export function announce({ title, body, tag, onOpen }) {
  if (document.visibilityState !== 'hidden') return;
  unseen++;
  document.title = `(${unseen}) ${BASE_TITLE}`;
  showCountInIcon(unseen);
  chime();
  if (notificationsSupported() && Notification.permission === 'granted') {
    const note = new Notification(title, { body: body.slice(0, 140), tag, renotify: true, icon: '/icon.svg' });
    note.onclick = () => {
      window.focus();
      onOpen?.();
      note.close();
    };
  }
}

/**
 * The tab's icon becomes a red badge with `count` (the plain icon again for 0). Drawn
 * whole: an SVG used as an icon cannot load the plain one into itself.
 */
function showCountInIcon(count) {
  const link = document.querySelector('link[rel=icon]');
  if (!link) return;
  link.dataset.plain ??= link.getAttribute('href');
  if (!count) {
    link.href = link.dataset.plain;
    link.dataset.count = '0';
    return;
  }
  const text = count > 99 ? '99+' : String(count);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">`
    + `<circle cx="16" cy="16" r="16" fill="#e5484d"/>`
    + `<text x="16" y="22" font-size="${text.length > 2 ? 13 : 18}" font-family="system-ui,sans-serif" font-weight="700" fill="#fff" text-anchor="middle">${text}</text></svg>`;
  link.href = `data:image/svg+xml,${encodeURIComponent(svg)}`;
  link.dataset.count = text;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') {
    unseen = 0;
    document.title = BASE_TITLE;
    showCountInIcon(0);
  }
});
document.addEventListener('pointerdown', unlockAudio, { once: true });
document.addEventListener('keydown', unlockAudio, { once: true });
