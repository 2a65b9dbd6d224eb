// wscam viewer, one camera on the page: a StreamView is one WebSocket (subprotocol wscam.v1) to
// /ws/NAME, reconnected with backoff until the view is closed, and what arrives on it: frames
// (read by frame_header.js; JPEGs to view_picture.js, H.264 to the view's codec path in
// view_codec.js: access units to WebCodecs, fMP4 segments to MSE), the server's messages (hello, status, controls, errors, pongs for
// clock_sync.js), and the statistics of the view. The page owns its views and is told what
// happens through the callbacks (onState, onHello, onControl, onError, onCodec).

import { withToken } from './page_address.js';
import { ClockSync, nowUs } from './clock_sync.js';
import { FRAME_JPEG, readFrameHeader } from './frame_header.js';
import { ViewPicture } from './view_picture.js';
import { ViewCodec } from './view_codec.js';

/** The WebSocket of a stream on the server that served the page, with the page's token. */
function pageSocketUrl(stream, query) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return withToken(`${proto}//${location.host}/ws/${encodeURIComponent(stream)}${query}`);
}

export class StreamView {
  constructor(stream, canvas, {
    codec = 'jpeg', onState = () => {}, onHello = () => {}, onControl = () => {}, onError = () => {}, onCodec = () => {},
    onEvent = () => {}, socketUrl = pageSocketUrl,
  } = {}) {
    Object.assign(this, { stream, canvas, onState, onHello, onControl, onError, onCodec, onEvent, socketUrl });
    this.stats = {
      stream, state: 'connecting', reason: '', framesReceived: 0, framesPainted: 0, lastSequence: 0,
      serverDropped: 0, clientDropped: 0, fps: 0, kbps: 0, width: 0, height: 0,
      latencyMs: null, latencyP50Ms: null, clockOffsetUs: null, clockUncertaintyUs: null,
      paused: false, connects: 0, message: '', badFrames: 0,
      // codec: what this connection gets ('jpeg', 'h264'; null before the hello); h264Path: how
      // H.264 is decoded ('webcodecs', 'mse'); codecWhy: why that way; codecNote: why it is not
      // the codec chosen (the server's codec_note, a fallback).
      codec: null, h264Path: '', codecString: '', codecWhy: '', codecNote: '', h264Errors: 0,
      motion: null,  // the motion event going on (its JSON), or null
    };
    this.retry = 0;
    this.clock = new ClockSync();
    this.picture = new ViewPicture(canvas, {
      onDropped: () => { this.stats.clientDropped++; },
      onPainted: (meta) => this.painted(meta),
    });
    this.lastBlob = null;     // the newest JPEG as it came, and its meta (for a snapshot)
    this.lastMeta = null;
    this.paintedMeta = null;  // the meta of the picture on the canvas
    this.paintTimes = [];
    this.byteWindow = [];
    this.latencies = [];
    this.pausedWanted = false;
    this.closedForGood = false;
    this.codec = new ViewCodec(this, codec);  // the codec chosen, the path of the connection
    this.connect();
  }

  reconnect() {
    this.dropConnection();
    this.retry = 0;
    this.connect();
  }

  setState(state, reason = '') {
    if (this.closedForGood) return;  // a closed view never speaks for the page again
    this.stats.state = state;
    this.stats.reason = reason;
    this.onState(state, reason);
  }

  connect() {
    clearTimeout(this.retryTimer);
    if (this.closedForGood) return;
    this.setState(this.retry ? 'reconnecting' : 'connecting');
    this.sequenceKnown = false;  // a new connection may start anywhere in the stream
    const ws = new WebSocket(this.socketUrl(this.stream, this.codec.query), ['wscam.v1']);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => this.onOpen();
    ws.onmessage = (ev) => (typeof ev.data === 'string' ? this.onText(ev.data) : this.onFrame(ev.data));
    ws.onclose = (ev) => this.onClose(ev);
    this.ws = ws;
  }

  // Stops everything this view owns: its timers (retry, reconnect countdown, ping), the pending
  // paint, the decoded frame, the H.264 decoder and the socket, so nothing of it reaches the page afterwards.
  close() {
    this.closedForGood = true;
    this.picture.close();
    this.dropConnection();
  }

  // Ends the current connection (or the wait for the next one) without a word to the page.
  dropConnection() {
    clearTimeout(this.retryTimer);
    clearTimeout(this.countdown);
    this.clock.stop();
    this.picture.forgetQueued();
    this.codec.stop();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  onOpen() {
    this.stats.connects++;
    this.clock.start((message) => this.send(message));
    if (this.pausedWanted) this.send({ type: 'pause' });
  }

  // The connection is gone: a new one after a backoff (0.5 s doubling to 10 s, ±30 %), with the
  // seconds left counted down in the state.
  onClose(ev) {
    this.clock.stop();
    this.ws = null;
    this.codec.stop();
    if (this.closedForGood) return;
    const delay = Math.min(10000, 500 * 2 ** this.retry) * (0.7 + Math.random() * 0.6);
    this.retry++;
    const why = ev.code === 1001 ? 'server went away' : ev.reason ? `closed by server: ${ev.reason}`
      : `connection closed (${ev.code})`;
    let left = Math.ceil(delay / 1000);
    const tick = () => {
      this.setState('reconnecting', `${why}; retrying in ${left} s`);
      if (left-- > 0) this.countdown = setTimeout(tick, 1000);
    };
    clearTimeout(this.countdown);
    tick();
    this.retryTimer = setTimeout(() => { clearTimeout(this.countdown); this.connect(); }, delay);
  }

  onFrame(buf) {
    const { headerLen, type, meta, bad } = readFrameHeader(buf);
    if (bad) return this.badFrame(buf, headerLen);
    // Types unknown to this page, and H.264 on a connection that does not get it, are ignored.
    if (type !== FRAME_JPEG && type !== this.codec.decoder?.frameType) return;
    const s = this.stats;
    if (this.sequenceKnown && meta.sequence > s.lastSequence + 1) s.serverDropped += meta.sequence - s.lastSequence - 1;
    s.lastSequence = meta.sequence;
    this.sequenceKnown = true;
    s.framesReceived++;
    this.byteWindow.push([performance.now(), buf.byteLength]);
    if (s.state !== 'live') { this.retry = 0; this.setState('live'); }
    if (this.codec.push(type, buf, headerLen, meta)) return;
    const blob = new Blob([new Uint8Array(buf, headerLen)], { type: 'image/jpeg' });
    this.lastBlob = blob;
    this.lastMeta = meta;
    this.picture.decodeJpeg(blob, meta);
  }

  // A binary message that is not a valid wscam.v1 frame: counted, reported once, otherwise ignored.
  badFrame(buf, headerLen) {
    this.stats.badFrames++;
    if (this.warnedBadFrame) return;
    this.warnedBadFrame = true;
    console.warn(`wscam: ignoring a binary message with header_size ${headerLen} in ${buf.byteLength} bytes`
      + ' (further ones are only counted in badFrames)');
  }

  // A picture reached the canvas: what the view shows, and how late.
  painted(meta) {
    const s = this.stats;
    s.framesPainted++;
    s.width = meta.width;
    s.height = meta.height;
    this.paintedMeta = meta;
    this.paintTimes.push(performance.now());
    if (s.clockOffsetUs !== null) {
      s.latencyMs = (nowUs() + s.clockOffsetUs - meta.captureUs) / 1000;
      this.latencies.push(s.latencyMs);
      if (this.latencies.length > 90) this.latencies.shift();
    }
    // A hook for measurements, on window on purpose: bench/browser and tests/node/viewer_h264 set
    // it from outside the page (an init script). Called once per painted frame.
    window.wscamOnPaint?.(s.clockOffsetUs === null ? null : s.latencyMs, this.stream, meta.sequence);
  }

  onText(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    const s = this.stats;
    if (msg.type === 'pong') {
      Object.assign(s, this.clock.pong(msg));
    } else if (msg.type === 'hello') {
      this.hello = msg;
      this.codec.start(msg);
      this.onHello(msg);
      if (!msg.online) this.setState('offline', msg.reason || 'camera offline');
    } else if (msg.type === 'status') {
      if (msg.message) s.message = msg.message;
      if (msg.state === 'offline') this.setState('offline', msg.reason || 'camera offline');
      else if (s.state === 'offline') this.setState('live');
    } else if (msg.type === 'control_changed') {
      this.onControl(msg.id, msg.value);
    } else if (msg.type === 'controls') {
      // The camera's set of controls changed (a publisher came or went, a board was found).
      this.hello = { ...(this.hello || {}), controls: msg.controls };
      this.onHello(this.hello);
    } else if (msg.type === 'event') {
      // A motion event started or ended (docs/PROTOCOL.md, "event"): the page's indicator and timeline.
      s.motion = msg.state === 'start' ? msg.event : null;
      this.onEvent(msg);
    } else if (msg.type === 'error') {
      console.warn(`wscam: ${msg.reason}`);
      this.onError(msg.reason);
    }
  }

  setPaused(paused) {
    this.pausedWanted = paused;
    this.stats.paused = paused;
    this.send({ type: paused ? 'pause' : 'resume' });
  }

  // Sliding one-second windows, refreshed by the page's timer.
  refresh() {
    const now = performance.now();
    const s = this.stats;
    this.paintTimes = this.paintTimes.filter((t) => now - t <= 1000);
    this.byteWindow = this.byteWindow.filter(([t]) => now - t <= 1000);
    s.fps = this.paintTimes.length;
    s.kbps = this.byteWindow.reduce((sum, [, b]) => sum + b, 0) * 8 / 1000;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    s.latencyP50Ms = sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
  }
}
