// wscam viewer, the H.264 path of a StreamView: which codec a view asks for and what its
// connection gets, the decoding of the access units with WscamH264Player (h264_player.js), Auto's
// move to H.264 when the link does not carry the JPEGs, and the fallback to JPEG when decoding
// keeps failing. The page's Codec choice that sets what views ask for is codec_select.js.

import { WscamH264Player } from './h264_player.js';

// Whether this browser decodes H.264 (set by detectH264(), which the page awaits before any view
// connects).
let h264Supported = false;
// Why not: WebCodecs exists only in secure contexts (https://, http://localhost).
const noH264Why = () => (window.isSecureContext ? 'this browser cannot decode H.264' : 'H.264 needs https:// here');

/** Finds out whether this browser decodes H.264; views ask for it only where it does. */
export async function detectH264() {
  h264Supported = await WscamH264Player.supported('avc1.42C01F');
  return h264Supported;
}

// The H.264 side of one connection of a StreamView: a WscamH264Player whose VideoFrames go to
// the view's picture (view_picture.js, which closes each one), keyframe requests to the server,
// and decoder failures counted: FAILURES_TO_FALL_BACK of them within FAILURE_WINDOW_MS and the
// view falls back to JPEG.
class H264Path {
  static FAILURES_TO_FALL_BACK = 3;
  static FAILURE_WINDOW_MS = 10000;

  constructor(view) {
    this.view = view;
    this.failures = [];
    this.dropsCounted = 0;
    this.player = new WscamH264Player({
      onFrame: (frame, meta) => view.picture.show(frame, meta, frame.displayWidth, frame.displayHeight),
      onError: (err) => this.failed(err),
      onNeedKeyframe: () => view.send({ type: 'keyframe' }),
    });
  }

  // One access unit (the message after its header).
  push(buf, headerLen, meta) {
    this.player.push(new Uint8Array(buf, headerLen), meta);
    this.countDrops();
  }

  // Units the player dropped (waiting for a keyframe, too slow) are the page's drops.
  countDrops() {
    const dropped = this.player.counters.dropped;
    this.view.stats.clientDropped += dropped - this.dropsCounted;
    this.dropsCounted = dropped;
  }

  failed(err) {
    const now = performance.now();
    const why = err?.message ? `${err.name}: ${err.message}` : String(err);
    this.failures = this.failures.filter((t) => now - t < H264Path.FAILURE_WINDOW_MS);
    this.failures.push(now);
    this.view.stats.h264Errors++;
    console.warn(`wscam: H.264 decoding failed (${why})`);
    if (this.failures.length >= H264Path.FAILURES_TO_FALL_BACK) {
      this.view.codec.fallBackToJpeg(`H.264 decoding failed ${this.failures.length} times (${why})`);
    }
  }

  close() {
    this.player.close();
    this.countDrops();
  }
}

// The codec of one StreamView (its `codec`): the codec it asks for (wanted: 'jpeg' or 'h264';
// auto: Auto's JPEG until the link does not carry it), and while its connection gets H.264 the
// H264Path of that connection (h264). The view's stats say what the connection gets (codec,
// codecString) and why it is not what was asked for (codecNote); the view tells the page with
// onCodec(view) and starts a new connection (reconnect()) when the codec asked for changes.
export class ViewCodec {
  static AUTO_STRIKES = 4;

  constructor(view, codec) {
    this.view = view;
    this.h264 = null;       // the H264Path of this connection, when it gets H.264
    this.wanted = 'jpeg';   // the codec this view asks for
    this.want(codec);
  }

  // Sets the codec asked for; H.264 only where the browser decodes it (else JPEG, with a note).
  // 'auto': JPEG while the link carries it, then H.264 (checkAuto).
  want(codec) {
    this.view.stats.codecNote = '';
    this.auto = codec === 'auto' && h264Supported;
    this.autoSamples = [];  // {received, dropped} at each refresh, the last 2 s
    this.autoStrikes = 0;
    if (codec === 'auto') codec = 'jpeg';
    if (codec === 'h264' && !h264Supported) {
      codec = 'jpeg';
      this.view.stats.codecNote = `${noH264Why()}: showing JPEG`;
    }
    this.wanted = codec;
  }

  // The codec choice changed: a new connection asking for it. The canvas keeps the last
  // picture until the new connection paints.
  set(codec) {
    const before = this.wanted;
    this.want(codec);
    this.view.onCodec(this.view);
    if (this.wanted !== before) this.view.reconnect();
  }

  // Auto: when the server has skipped more than a quarter of the JPEGs over the last 2 s (the
  // link does not carry them; its skips show as bursts of missing sequence numbers), and that
  // at AUTO_STRIKES refreshes in a row: H.264. Called every 0.5 s by the view's refresh().
  checkAuto() {
    const s = this.view.stats;
    if (!this.auto || this.wanted !== 'jpeg' || s.codec !== 'jpeg' || s.paused || s.state !== 'live') {
      this.autoSamples = [];
      this.autoStrikes = 0;
      return;
    }
    this.autoSamples.push({ received: s.framesReceived, dropped: s.serverDropped });
    if (this.autoSamples.length < 5) return;
    const first = this.autoSamples.shift();  // 2 s ago
    const received = s.framesReceived - first.received;
    const dropped = s.serverDropped - first.dropped;
    this.autoStrikes = dropped > (received + dropped) / 4 ? this.autoStrikes + 1 : 0;
    if (this.autoStrikes < ViewCodec.AUTO_STRIKES) return;
    console.info(`wscam: ${this.view.stream}: the link does not carry the JPEGs (the server skips frames): H.264`);
    this.wanted = 'h264';
    this.view.onCodec(this.view);
    this.view.reconnect();
  }

  // H.264 failed on this page: JPEG from now on for this view, and the page says why.
  fallBackToJpeg(reason) {
    this.auto = false;
    this.wanted = 'jpeg';
    this.view.stats.codecNote = `${reason}: showing JPEG`;
    console.warn(`wscam: ${this.view.stats.codecNote}`);
    this.view.reconnect();
  }

  // The hello says which codec this connection gets: H.264 only if asked for (and this page
  // can decode it); otherwise JPEG, with the server's reason if H.264 was asked for.
  start(hello) {
    const s = this.view.stats;
    this.stop();
    if (this.wanted === 'h264' && hello.codec === 'h264') {
      this.h264 = new H264Path(this.view);
      Object.assign(s, { codec: 'h264', codecString: hello.codec_string || '', codecNote: '' });
    } else {
      Object.assign(s, { codec: 'jpeg', codecString: '' });
      if (this.wanted === 'h264') {
        s.codecNote = `H.264 not available: ${hello.codec_note || 'this server sends JPEG only'}`;
      }
    }
    this.view.onCodec(this.view);
  }

  // The connection ended: its decoder goes with it.
  stop() {
    this.h264?.close();
    this.h264 = null;
  }
}
