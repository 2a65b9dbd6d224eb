// wscam viewer, the codec of a StreamView: what the page's choice (Auto, H.264, H.264 via MSE,
// JPEG) means in this browser, which path a connection asks for (?codec=h264 for WebCodecs,
// ?codec=fmp4 for MSE, nothing for JPEG), the path that decodes what it gets (viewer_h264.js,
// viewer_mse.js), and the fallback to JPEG when decoding fails.
//
// Auto takes the best this browser has: WebCodecs (a secure context: https://, http://localhost),
// else Media Source Extensions (also on plain http://192.168…), else JPEG, and says which and why.

import { H264Path } from './viewer_h264.js';
import { MsePath } from './viewer_mse.js';
import { WscamH264Player } from './h264_player.js';
import { WscamMsePlayer } from './mse_player.js';

// What this browser can do (set by detectCodecs(), which the page awaits before any view connects).
export const can = { webcodecs: false, mse: false };

/** Finds out how this browser decodes H.264: WebCodecs, MSE, both or neither. */
export async function detectCodecs() {
  can.webcodecs = await WscamH264Player.supported('avc1.42C01F');
  can.mse = WscamMsePlayer.supported('avc1.42C01F');
  return can;
}

// Why WebCodecs is not there: it exists only in secure contexts.
export const noWebCodecsWhy = () => (window.isSecureContext ? 'this browser has no WebCodecs for H.264'
  : 'WebCodecs needs https:// (or localhost) here');

/**
 * What a choice means here: the path ('webcodecs', 'mse' or 'jpeg') and, when it is not what the
 * choice names first, why (for the page to say).
 */
export function resolveCodec(choice) {
  if (choice === 'jpeg') return { path: 'jpeg', why: '' };
  if (choice === 'mse') {
    return can.mse ? { path: 'mse', why: '' }
      : { path: 'jpeg', why: 'this browser has no Media Source Extensions for H.264: showing JPEG' };
  }
  // 'h264' and 'auto': the best way this browser decodes H.264.
  if (can.webcodecs) return { path: 'webcodecs', why: '' };
  if (can.mse) return { path: 'mse', why: `H.264 through MSE: ${noWebCodecsWhy()}` };
  return {
    path: 'jpeg',
    why: window.isSecureContext ? 'this browser decodes H.264 neither with WebCodecs nor through MSE: showing JPEG'
      : `${noWebCodecsWhy()}, and this browser has no MSE for H.264: showing JPEG`,
  };
}

const QUERY = { webcodecs: '?codec=h264', mse: '?codec=fmp4', jpeg: '' };
const HELLO = { webcodecs: 'h264', mse: 'fmp4' };

// The codec of one StreamView (its `codec`): the choice (auto, h264, mse, jpeg), the path it asks
// for (path), and while its connection gets H.264 the H264Path or MsePath decoding it (decoder). The
// view's stats say what the connection gets (codec 'h264' or 'jpeg', h264Path 'webcodecs' or 'mse',
// codecString) and why it is not what was chosen (codecNote); the view tells the page with
// onCodec(view) and starts a new connection (reconnect()) when the path asked for changes.
export class ViewCodec {
  constructor(view, choice) {
    this.view = view;
    this.decoder = null;  // the H264Path or MsePath of this connection
    this.want(choice);
  }

  // Sets the choice and the path it means here; a path that is not the choice's first says why.
  want(choice) {
    this.choice = choice;
    this.fellBack = false;
    const { path, why } = resolveCodec(choice);
    this.path = path;
    this.why = why;
    // Auto saying which it took is information, not a problem: in the stats, not the note.
    this.view.stats.codecNote = choice === 'auto' || path === 'mse' ? '' : why;
  }

  /** The query a new connection adds to /ws/NAME for this path. */
  get query() { return QUERY[this.path]; }

  // The choice changed: a new connection asking for it. The canvas keeps the last picture until
  // the new connection paints.
  set(choice) {
    const before = this.path;
    this.want(choice);
    this.view.onCodec(this.view);
    if (this.path !== before) this.view.reconnect();
  }

  // H.264 failed on this page: JPEG from now on for this view, and the page says why.
  fallBackToJpeg(reason) {
    this.path = 'jpeg';
    this.why = '';
    this.fellBack = true;
    this.view.stats.codecNote = `${reason}: showing JPEG`;
    console.warn(`wscam: ${this.view.stream}: ${this.view.stats.codecNote}`);
    this.view.reconnect();
  }

  // The hello says what this connection gets: H.264 on the path asked for, or JPEG (with the
  // server's reason when H.264 was asked for).
  start(hello) {
    const s = this.view.stats;
    this.stop();
    if (this.path !== 'jpeg' && hello.codec === HELLO[this.path]) {
      this.decoder = this.path === 'mse' ? new MsePath(this.view) : new H264Path(this.view);
      Object.assign(s, { codec: 'h264', h264Path: this.path, codecString: hello.codec_string || '' });
      s.codecWhy = this.why || (this.path === 'webcodecs' ? 'decoded with WebCodecs' : '');
    } else {
      Object.assign(s, { codec: 'jpeg', h264Path: '', codecString: '', codecWhy: this.why });
      if (this.path !== 'jpeg') s.codecNote = `H.264 not available: ${hello.codec_note || 'this server sends JPEG only'}`;
    }
    this.view.onCodec(this.view);
  }

  /** A binary message of the type this connection's decoder takes: decoded; false if none takes it. */
  push(type, buf, headerLen, meta) {
    if (!this.decoder || type !== this.decoder.frameType) return false;
    this.decoder.push(buf, headerLen, meta);
    return true;
  }

  // The connection ended: its decoder goes with it.
  stop() {
    this.decoder?.close();
    this.decoder = null;
  }
}
