// wscam viewer, the page's Codec choice: ?codec=jpeg|h264|auto, else this browser's last choice
// (localStorage), else H.264 where the browser decodes it. What new views ask for (choice); a
// change goes to every view on the page, and ?codec= is dropped from the address from then on.

import { detectH264 } from './viewer_h264.js';

// The page's Codec select (select), the note under the picture (note), the page's address
// parameters (params, the page's own object: a choice made here removes ?codec= from it), and
// the StreamViews on the page (views(): the focused one or the tiles).
export class CodecSelect {
  static CODECS = ['h264', 'jpeg', 'auto'];
  static KEY = 'wscam.codec';

  constructor({ select, note, params, views }) {
    Object.assign(this, { select, note, params, views });
    this.choice = 'jpeg';  // what new views ask for
  }

  stored() { try { return localStorage.getItem(CodecSelect.KEY); } catch { return null; } }

  async choose() {
    const h264Supported = await detectH264();
    const asked = [this.params.get('codec'), this.stored()].find((c) => CodecSelect.CODECS.includes(c));
    this.choice = asked || (h264Supported ? 'h264' : 'jpeg');
    const h264Option = this.select.querySelector('option[value="h264"]');
    if (!h264Supported) h264Option.textContent = `H.264 (${window.isSecureContext ? 'not in this browser' : 'needs https://'})`;
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

  // The focused view's codec: the choice shows what it asks for (JPEG after a fallback), the
  // note why it is not H.264 when H.264 was wanted.
  show(view) {
    this.select.value = view.codec.auto ? 'auto' : view.codec.wanted;
    this.note.textContent = view.stats.codecNote;
    this.note.hidden = !view.stats.codecNote;
  }
}
