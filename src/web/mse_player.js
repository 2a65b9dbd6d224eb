// wscam MSE player: plays a wscam.v1 `?codec=fmp4` stream (docs/PROTOCOL.md) in a <video> through
// Media Source Extensions, which, unlike WebCodecs, needs no secure context: H.264 on
// http://192.168.x.y. An ES module (no build step): `import { WscamMsePlayer } from './mse_player.js'`.
//
//   const player = new WscamMsePlayer(video, { onFrame, onError, onNeedKeyframe });
//   player.push(segment, { keyframe, sequence, captureUs, width, height });  // one media segment
//
// Each message is one access unit as an fMP4 media segment (moof + mdat); a keyframe's begins with
// the init segment (ftyp + moov). The media timeline is the capture time (mediaTime = captureUs / 1e6),
// so the painted frame's meta is found from requestVideoFrameCallback's mediaTime.
//
// Live, not smooth: a <video> buffers to play evenly, and its latency would grow with every stall.
// Each segment lasts at least 1 s (the server's way around MSE's rule that a gap of more than
// twice a picture's duration drops every delta after it), so the end of what is buffered says
// nothing; the player keeps its own live edge, the newest capture time appended. It keeps the
// playhead LIVE_LAG_S behind it: further behind it plays a bit faster (CATCH_UP_RATE), further
// than JUMP_LAG_S it jumps, and a playhead outside what is buffered (a pause, a move between
// renditions) jumps too. A delta that comes more than MAX_GAP_S after the one before would be
// dropped by MSE anyway: the player drops it and asks for a keyframe. What lies more than
// KEEP_BEHIND_S behind the playhead is removed.
//
// Latest wins: while appends cannot keep up (more than MAX_WAITING segments waiting), deltas are
// dropped up to the next keyframe, which is asked for (onNeedKeyframe). Anything the browser
// refuses (a segment it cannot parse or decode, the media element's error) is reported once with
// onError(reason) and the player stops: MSE cannot go on after a decode error.

import { attachMediaSource, h264TypeOf, mediaSourceClass, mp4Type } from './media_source.js';

const LIVE_LAG_S = 0;          // wanted: the playhead at the newest picture appended (pictures last 1 s: no underflow)
const CATCH_UP_LAG_S = 0.05;   // beyond it, CATCH_UP_RATE until back within LIVE_LAG_S
const JUMP_LAG_S = 1.0;        // beyond it, a jump to the live edge
const MAX_GAP_S = 1.9;         // a delta this long after the one before is a discontinuity (segments last 1 s or more)
const CATCH_UP_RATE = 1.1;
const KEEP_BEHIND_S = 10;      // buffered media kept behind the playhead
const MAX_WAITING = 8;         // segments waiting to be appended before deltas are dropped
const ASK_AGAIN_MS = 1000;     // while waiting for a keyframe, ask again this often
const CHECK_MS = 250;          // how often the playhead is looked at besides after each append

export class WscamMsePlayer {
  /** Whether this browser plays `codecString` (e.g. the hello's codec_string) in MP4 through MSE. */
  static supported(codecString = 'avc1.42C01F') {
    const Source = mediaSourceClass();
    try {
      return !!Source && Source.isTypeSupported(mp4Type(codecString));
    } catch {
      return false;
    }
  }

  constructor(video, { onFrame = () => {}, onError = () => {}, onNeedKeyframe = () => {} } = {}) {
    Object.assign(this, { video, onFrame, onError, onNeedKeyframe });
    // appended: segments given to the SourceBuffer; dropped: segments pushed that were never
    // appended; painted: frames the video presented; jumps: moves of the playhead to the live edge.
    this.counters = { appended: 0, dropped: 0, painted: 0, jumps: 0, keyframes: 0 };
    this.queue = [];          // {data, meta}: segments waiting for the SourceBuffer, in order
    this.metas = new Map();   // captureUs -> meta of segments appended, for the frames painted
    this.waitingForKey = true;
    this.askedAt = -Infinity;
    this.newestUs = -Infinity;  // the capture time of the newest segment appended: the live edge
    this.lastPushedUs = Infinity;  // the capture time of the last segment queued
    this.buffer = null;
    this.failed = false;
    this.closed = false;
    video.muted = true;  // a muted video may play without a click
    video.playsInline = true;
    this.source = attachMediaSource(video);
    this.source.addEventListener('sourceopen', () => this.next(), { once: true });
    video.addEventListener('error', this.onVideoError = () => this.fail(`the browser cannot play it (${describe(video.error)})`));
    this.timer = setInterval(() => this.followLiveEdge(), CHECK_MS);
    this.watchFrames();
  }

  /** One media segment (a Uint8Array, copied) and its meta. Returns whether it will be appended. */
  push(data, meta) {
    if (this.closed || this.failed) return false;
    if (meta.keyframe) {
      // A keyframe needs nothing before it: what still waits is dropped.
      this.counters.dropped += this.queue.length;
      this.queue = [];
      this.waitingForKey = false;
    } else if (this.waitingForKey || this.queue.length >= MAX_WAITING
      || meta.captureUs - this.lastPushedUs > MAX_GAP_S * 1e6) {
      this.waitForKeyframe();
      this.counters.dropped++;
      return false;
    }
    this.lastPushedUs = meta.captureUs;
    this.queue.push({ data: data.slice(), meta });
    this.next();
    return true;
  }

  waitForKeyframe() {
    this.waitingForKey = true;
    this.queue = this.queue.filter((q) => q.meta.keyframe);
    const now = performance.now();
    if (now - this.askedAt < ASK_AGAIN_MS) return;
    this.askedAt = now;
    this.onNeedKeyframe();
  }

  // Appends the next segment waiting, or removes what lies behind, once the SourceBuffer is idle.
  next() {
    if (this.closed || this.failed || this.source.readyState !== 'open') return;
    if (this.buffer?.updating) return;
    if (!this.queue.length) return this.trim();
    const { data, meta } = this.queue.shift();
    try {
      if (!this.buffer) {
        const type = meta.keyframe && h264TypeOf(data);
        if (!type) throw new Error('the first segment has no H.264 init segment');
        this.buffer = this.source.addSourceBuffer(type);
        this.buffer.mode = 'segments';  // each picture at its own time: the capture time
        this.buffer.addEventListener('updateend', () => { this.followLiveEdge(); this.next(); });
        this.buffer.addEventListener('error', () => this.fail('the browser refused a segment'));
      }
      this.buffer.appendBuffer(data);
      this.counters.appended++;
      if (meta.keyframe) this.counters.keyframes++;
      this.metas.set(meta.captureUs, meta);
      this.newestUs = Math.max(this.newestUs, meta.captureUs);
      if (this.metas.size > 120) this.metas.delete(this.metas.keys().next().value);
    } catch (err) {
      if (err?.name === 'QuotaExceededError') {  // full: forget the past, start again at a keyframe
        this.counters.dropped++;
        this.removeBefore(Infinity);
        return this.waitForKeyframe();
      }
      this.fail(`${err?.name || 'Error'}: ${err?.message || err}`);
    }
  }

  // Removes what lies more than KEEP_BEHIND_S behind the playhead (one removal at a time).
  trim() {
    const b = this.buffer?.buffered;
    if (!b?.length || this.buffer.updating) return;
    const keepFrom = this.video.currentTime - KEEP_BEHIND_S;
    if (b.start(0) < keepFrom - 1) this.removeBefore(keepFrom);
  }

  removeBefore(t) {
    const b = this.buffer?.buffered;
    if (!b?.length || this.buffer.updating) return;
    const end = Math.min(t, b.end(b.length - 1));
    if (end > b.start(0)) this.buffer.remove(b.start(0), end);
  }

  // Keeps the playhead at the live edge (see the top of this file).
  followLiveEdge() {
    if (this.closed || this.failed || !this.buffer || this.newestUs === -Infinity) return;
    const v = this.video;
    const b = this.buffer.buffered;
    const edge = this.newestUs / 1e6;
    const lag = edge - v.currentTime;
    let buffered = false;
    for (let i = 0; i < b.length; i++) buffered ||= v.currentTime >= b.start(i) && v.currentTime < b.end(i);
    if (!buffered || lag > JUMP_LAG_S) {
      v.currentTime = Math.max(edge - LIVE_LAG_S, b.length ? b.start(b.length - 1) : edge);
      v.playbackRate = 1;
      this.counters.jumps++;
    } else if (lag > CATCH_UP_LAG_S) {
      v.playbackRate = CATCH_UP_RATE;
    } else if (lag <= LIVE_LAG_S) {
      v.playbackRate = 1;
    }
    if (v.paused) v.play().catch(() => { /* not yet allowed, or interrupted by the seek: tried again */ });
  }

  // Every frame the video presents: its meta (found by its capture time) to onFrame, with the video.
  // Where requestVideoFrameCallback is missing (older Safari and Firefox), each animation frame in
  // which the playhead moved stands for one, with the newest meta at or before the playhead.
  watchFrames() {
    const show = (mediaTime, exact) => {
      // A frame far behind the newest appended is backlog the playhead is about to jump over
      // (a stalled video resumes with the frame it stopped at before the jump): not shown.
      if (this.newestUs - mediaTime * 1e6 > JUMP_LAG_S * 1e6) return;
      const meta = exact ? this.metas.get(Math.round(mediaTime * 1e6)) : this.metaAtOrBefore(mediaTime * 1e6);
      this.counters.painted++;
      this.onFrame(this.video, meta || null);
    };
    if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
      const onVideoFrame = (now, metadata) => {
        if (this.closed) return;
        show(metadata.mediaTime, true);
        this.video.requestVideoFrameCallback(onVideoFrame);
      };
      this.video.requestVideoFrameCallback(onVideoFrame);
      return;
    }
    let shown = -1;
    const onAnimationFrame = () => {
      if (this.closed) return;
      const t = this.video.currentTime;
      if (t !== shown && this.video.readyState >= 2) {
        shown = t;
        show(t, false);
      }
      requestAnimationFrame(onAnimationFrame);
    };
    requestAnimationFrame(onAnimationFrame);
  }

  metaAtOrBefore(us) {
    let best = null;
    for (const [captureUs, meta] of this.metas) if (captureUs <= us && (!best || captureUs > best.captureUs)) best = meta;
    return best;
  }

  fail(reason) {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.onError(new Error(reason));
  }

  /** Stops: the MediaSource is detached from the video; pushes are ignored afterwards. */
  close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.queue = [];
    this.video.removeEventListener('error', this.onVideoError);
    const url = this.video.src;
    this.video.removeAttribute('src');
    this.video.load();
    URL.revokeObjectURL(url);
  }
}

function describe(error) {
  if (!error) return 'unknown error';
  const names = { 1: 'aborted', 2: 'network', 3: 'decode', 4: 'not supported' };
  return `${names[error.code] || `code ${error.code}`}${error.message ? `: ${error.message}` : ''}`;
}
