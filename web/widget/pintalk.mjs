// The widget as an ES module, for sites that bundle their scripts: the same widget and the
// same commands as the <script> embed, as functions. Call init() once with the site key
// and the address of your PinTalk server; the rest may come before or after it.
import './pintalk.js';

/** The command function itself, `window.PinTalk` (does nothing outside a browser). */
export const PinTalk = (...args) => (typeof window === 'undefined' ? undefined : window.PinTalk(...args));

export const init = (options) => PinTalk('init', options);
export const open = () => PinTalk('open');
export const close = () => PinTalk('close');
export const toggle = () => PinTalk('toggle');
export const show = () => PinTalk('show');
export const hide = () => PinTalk('hide');
export const identify = (visitor) => PinTalk('identify', visitor);
export const on = (event, listener) => PinTalk('on', event, listener);
export const off = (event, listener) => PinTalk('off', event, listener);
export const locale = (language) => PinTalk('locale', language);
export const reset = () => PinTalk('reset');

export default PinTalk;
