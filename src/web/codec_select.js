// wscam viewer, the page's Codec choice: ?codec=auto|h264|mse|jpeg, else this browser's last choice
// (localStorage), else Auto. What new views ask for (choice); a change goes to every view on the
// page, and ?codec= is dropped from the address from then on. Each option says what it means in
// this browser (view_codec.js): H.264 by WebCodecs or MSE, or why it cannot be had here.

import { can, detectCodecs, noWebCodecsWhy, resolveCodec } from './view_codec.js';

const PATH_NAME = { webcodecs: 'WebCodecs', mse: 'MSE', jpeg: 'JPEG' };

// The page's Codec select (select), the note under the picture (note), the page's address
// parameters (params, the page's own object: a choice made here removes ?codec= from it), and
// the StreamViews on the page (views(): the focused one or the tiles).
export class CodecSelect {
  static CODECS = ['auto', 'h264', 'mse', 'jpeg'];
  static KEY = 'wscam.codec';

  constructor({ select, note, params, views }) {
    Object.assign(this, { select, note, params, views });
    this.choice = 'auto';  // what new views ask for
  }

  stored() { try { return localStorage.getItem(CodecSelect.KEY); } catch { return null; } }

  async choose() {
    await detectCodecs();
    const asked = [this.params.get('codec'), this.stored()].find((c) => CodecSelect.CODECS.includes(c));
    this.choice = asked || 'auto';
    if (this.choice === 'mse' && !can.webcodecs) this.choice = 'h264';  // the same here, and the menu's name for it
    const option = (value) => this.select.querySelector(`option[value="${value}"]`);
    const auto = resolveCodec('auto');
    option('auto').textContent = `Auto (${auto.path === 'jpeg' ? 'JPEG' : `H.264, ${PATH_NAME[auto.path]}`})`;
    option('auto').title = auto.why || 'The best this browser has: H.264 decoded with WebCodecs';
    const h264 = resolveCodec('h264');
    option('h264').textContent = h264.path === 'jpeg' ? 'H.264 (not in this browser)' : `H.264 (${PATH_NAME[h264.path]})`;
    option('h264').title = h264.why || 'H.264 decoded with WebCodecs';
    // MSE as a choice of its own only where WebCodecs is the default (else "H.264" is MSE already).
    option('mse').hidden = !can.mse || !can.webcodecs;
    option('mse').title = 'H.264 played by the browser\'s <video> through Media Source Extensions';
    if (!can.webcodecs && !can.mse) option('h264').title = `${noWebCodecsWhy()}, and there is no MSE for H.264`;
    this.select.value = this.choice;
  }

  // The user picked a codec: remembered, and every view on the page asks for it.
  changed() {
    this.choice = this.select.value;
    try { localStorage.setItem(CodecSelect.KEY, this.choice); } catch { /* private mode: this page only */ }
    if (this.params.has('codec')) {  // the choice outranks the address from now on
      this.params.delete('codec');
      const url = new URL(location.href);
      url.searchParams.delete('codec');
      history.replaceState(history.state, '', url);
    }
    this.views().forEach((v) => v.codec.set(this.choice));
  }

  // The focused view's codec: the choice shows what plays (JPEG after a fallback, or where H.264
  // cannot be had; Auto stays Auto unless it fell back), the note why it is not H.264 when H.264
  // was wanted.
  show(view) {
    const c = view.codec;
    this.select.value = c.fellBack || (c.path === 'jpeg' && c.choice !== 'auto') ? 'jpeg' : c.choice;
    this.note.textContent = view.stats.codecNote;
    this.note.hidden = !view.stats.codecNote;
  }
}
