// wscam viewer, playing a stream's past: from a time the timeline chose, at ×1 to ×8, paused,
// stepped, until the recording catches up with the present (then onEnd: the page goes live).
// Two ways, by the recording's codec, both without a secure context (plain http:// works):
// - JPEG recordings: the pictures come from /recordings/NAME/frames (a few seconds at a time,
//   each with its capture time) and are shown on the view's canvas at their capture times, so
//   the camera's own rate plays back; a gap longer than 2 s is skipped.
// - H.264 recordings: a <video> plays the segment files (MP4, Range requests) one after another;
//   requestVideoFrameCallback says which picture is on screen. The segment being written has no
//   duration to seek in yet: the page feeds it to the <video> itself (growing_segment.js, MSE).
// Either way `stats.captureUs` is the capture time of the picture on screen: what the page shows.

import { withToken } from './page_address.js';
import { ViewPicture } from './view_picture.js';
import { GrowingSegment } from './growing_segment.js';
import { mediaSourceClass } from './media_source.js';

const AHEAD_US = 3e6;   // keep this much of the recording fetched ahead of the playhead (× speed)
const GAP_US = 2e6;     // a pause in the recording longer than this is skipped

/** The parts of a multipart/mixed answer of /frames: [{jpeg: Blob, capture: µs}]. */
export function readFrameParts(bytes) {
  const out = [];
  const text = new TextDecoder('latin1');
  let i = 0;
  for (;;) {
    const headEnd = indexOf(bytes, [13, 10, 13, 10], i);
    if (headEnd < 0) break;
    const head = text.decode(bytes.subarray(i, headEnd));
    const length = Number(/Content-Length: (\d+)/i.exec(head)?.[1]);
    const capture = Number(/X-Capture-Time: (\d+)/i.exec(head)?.[1]);
    if (!Number.isFinite(length) || !Number.isFinite(capture)) break;
    const start = headEnd + 4;
    out.push({ jpeg: new Blob([bytes.subarray(start, start + length)], { type: 'image/jpeg' }), capture });
    i = start + length + 2;
  }
  return out;
}

function indexOf(bytes, pattern, from) {
  outer: for (let i = from; i <= bytes.length - pattern.length; i++) {
    for (let k = 0; k < pattern.length; k++) if (bytes[i + k] !== pattern[k]) continue outer;
    return i;
  }
  return -1;
}

/** The playhead's clock: recording time advancing at `speed` while playing. */
class PlayClock {
  constructor(us, speed) { this.set(us, speed); this.paused = false; }
  set(us, speed = this.speed) { this.us = us; this.at = performance.now(); this.speed = speed; }
  now() { return this.paused ? this.us : this.us + (performance.now() - this.at) * 1000 * this.speed; }
  pause() { this.set(this.now()); this.paused = true; }
  resume() { this.paused = false; this.set(this.us); }
}

class JpegPlayback {
  constructor(player, fromUs) {
    this.player = player;
    this.picture = new ViewPicture(player.canvas, { onDropped: () => {}, onPainted: (meta) => player.painted(meta.capture) });
    this.queue = [];
    this.nextFrom = fromUs;
    this.ended = false;
    this.clock = new PlayClock(fromUs, player.speed);
    this.clock.paused = true;  // the recording's time starts running when its first pictures are here
    this.fill();
    this.timer = setInterval(() => this.tick(), 15);
  }

  async fill() {
    if (this.fetching || this.ended || performance.now() < (this.retryAt ?? 0)) return;
    const last = this.queue.length ? this.queue[this.queue.length - 1].capture : this.clock.now();
    if (last - this.clock.now() > AHEAD_US * this.clock.speed) return;
    this.fetching = true;
    try {
      const count = Math.min(300, Math.max(30, Math.round(30 * this.clock.speed)));
      const res = await fetch(withToken(`/recordings/${encodeURIComponent(this.player.stream)}/frames?from=${this.nextFrom / 1e6}&count=${count}`));
      if (this.closed) return;
      this.player.stats.lastAnswer = res.status;
      if (res.status === 503) { this.retryAt = performance.now() + 1000; return; }  // busy: again in a second
      if (!res.ok) { this.ended = true; return; }
      const parts = readFrameParts(new Uint8Array(await res.arrayBuffer()));
      if (this.closed) return;
      const fresh = parts.filter((p) => !this.queue.length || p.capture > this.queue[this.queue.length - 1].capture);
      this.queue.push(...fresh);
      if (fresh.length) this.nextFrom = fresh[fresh.length - 1].capture + 1;
      if (!this.started) {
        this.started = true;
        if (!this.player.pausedWanted) this.clock.resume();
      }
      if (parts.length < count && !fresh.length) this.ended = true;  // nothing newer: the present
    } catch {
      this.ended = true;
    } finally {
      this.fetching = false;
    }
  }

  tick() {
    const now = this.clock.now();
    // Skip a gap: nothing due, and the next picture is far ahead.
    if (!this.clock.paused && this.queue.length && this.queue[0].capture - now > GAP_US && this.shownOnce) {
      this.clock.set(this.queue[0].capture);
    }
    let due = null;
    while (this.queue.length && (this.queue[0].capture <= this.clock.now() || !this.shownOnce)) {
      due = this.queue.shift();
      this.shownOnce = true;
    }
    if (due) this.picture.decodeJpeg(due.jpeg, { capture: due.capture });
    // The end of the recording (or nothing there): the present takes over.
    if (this.ended && !this.queue.length && (!this.clock.paused || !this.started)) return this.player.ended();
    this.fill();
  }

  pause() { this.clock.pause(); }
  resume() { this.clock.resume(); }
  setSpeed(speed) { this.clock.set(this.clock.now(), speed); }
  step() {
    const next = this.queue.shift();
    if (!next) return this.fill();
    this.clock.us = next.capture;
    this.picture.decodeJpeg(next.jpeg, { capture: next.capture });
  }
  close() {
    this.closed = true;
    clearInterval(this.timer);
    this.picture.close();
  }
}

class VideoPlayback {
  constructor(player, fromUs) {
    this.player = player;
    const video = player.video;
    this.video = video;
    video.muted = true;
    video.hidden = false;
    player.canvas.hidden = true;
    video.onended = () => this.next();
    video.onerror = () => player.failed('this browser cannot play the recording');
    this.open(fromUs);
    this.media = 0;        // the picture on screen, seconds into its segment
    this.interval = 0.1;   // between pictures (for a step)
    this.intervals = [];
    const onFrame = (now, meta) => {
      if (this.closed) return;
      video.requestVideoFrameCallback(onFrame);
      if (!this.ready || meta.mediaTime < this.offset - 0.25) return;
      // The interval between pictures (for a step): the smallest of the last few, as one not shown
      // (a busy page) makes a gap twice as long.
      if (meta.mediaTime > this.media && meta.mediaTime - this.media < 2) {
        this.intervals = [...this.intervals.slice(-7), meta.mediaTime - this.media];
        this.interval = Math.min(...this.intervals);
      }
      this.media = meta.mediaTime;
      player.painted(this.segment.start + Math.round(meta.mediaTime * 1e6));
    };
    video.requestVideoFrameCallback(onFrame);
    this.timer = setInterval(() => this.caughtUp(), 250);
  }

  /** Plays the segment on screen at `us` (or the first after it) from there. */
  open(us) {
    const list = this.player.segments().filter((s) => s.codec === 'h264');
    // A segment whose end is within 0.2 s of `us` has nothing more to show yet: the present.
    this.segment = list.find((s) => s.end > us + 200e3) ?? null;
    if (!this.segment) return this.player.ended();
    const offset = Math.max(0, us - this.segment.start) / 1e6;
    const video = this.video;
    // Pictures count from the one at the offset: a new source shows its first picture before
    // the seek (a picture more than 0.25 s before the offset is that one).
    this.ready = false;
    this.offset = offset;
    this.media = 0;
    this.growing?.close();
    this.growing = null;
    const start = () => {
      this.ready = true;
      video.playbackRate = this.player.speed;
      if (!this.player.pausedWanted) video.play().catch(() => {});
    };
    if (this.segment.writing && mediaSourceClass()) {
      // Still being written: no duration to seek in, so the page feeds the <video> itself.
      video.onloadedmetadata = null;
      video.onseeked = null;
      this.growing = new GrowingSegment(video, withToken(this.segment.url), {
        offset, onStart: start, onError: (reason) => this.player.failed(reason),
      });
      return;
    }
    video.onloadedmetadata = () => {
      this.ready = true;
      video.currentTime = offset;
    };
    let started = false;
    video.onseeked = () => {
      if (started) return;
      started = true;
      start();
    };
    video.src = withToken(this.segment.url);
  }

  /**
   * The end of what a growing segment holds now, reached: if the segment has closed since (the
   * list says so), the next one plays; if not, the recording has caught up with the present.
   */
  async caughtUp() {
    const g = this.growing;
    if (!g?.started || !g.atFileEnd || this.video.paused || this.video.currentTime < g.bufferedEnd - 0.15) return;
    if (this.checking) return;
    this.checking = true;
    try {
      await this.player.refresh();
      if (this.closed || g !== this.growing) return;
      const now = this.player.segments().find((s) => s.name === this.segment.name);
      if (now && !now.writing && now.end > this.segment.start + Math.round(g.bufferedEnd * 1e6) + 200e3) return;  // more to read
      if (now?.writing) return this.player.ended();
      this.next();
    } finally {
      this.checking = false;
    }
  }

  /**
   * The end of a file: the next segment, or more of this one if it was being written when it was
   * loaded (its file has grown since). The list is read again first: it may be 10 s old.
   */
  async next() {
    if (this.closed) return;
    const after = this.segment.start + Math.round(this.media * 1e6) + 1000;
    await this.player.refresh();
    if (this.closed) return;
    this.open(after);
  }

  pause() { this.video.pause(); }
  resume() { this.video.play().catch(() => {}); }
  setSpeed(speed) { this.video.playbackRate = speed; }
  step() {
    // A <video> has no "next picture": seek into the middle of where the next one should be.
    this.video.pause();
    this.video.currentTime = this.media + this.interval * 1.5;
  }
  close() {
    this.closed = true;
    clearInterval(this.timer);
    this.growing?.close();
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.load();
    this.video.hidden = true;
    this.player.canvas.hidden = false;
  }
}

export class RecordingPlayer {
  constructor({ stream, canvas, video, segments, refresh, onTime, onEnd, onError }) {
    Object.assign(this, { stream, canvas, video, segments, refresh, onTime, onEnd, onError });
    this.speed = 1;
    this.pausedWanted = false;
    this.seeks = 0;
    // Test and debug hook (window.wscamPlayback): what is on screen and how fast it came.
    this.stats = {
      state: 'idle', seekUs: null, captureUs: null, seekedAt: null, firstPictureMs: null, firstCaptureUs: null, pictures: 0, codec: null,
    };
  }

  /** Plays from `us`: the picture on screen then, and on from there. */
  async play(us) {
    this.playback?.close();
    this.playback = null;
    const seek = ++this.seeks;
    Object.assign(this.stats, { state: 'playing', seekUs: us, seekedAt: performance.now(), firstPictureMs: null, firstCaptureUs: null });
    // The list may be 10 s old: the recent past needs a fresh one.
    if (!this.segments().some((s) => s.end > us + 200e3)) await this.refresh();
    if (seek !== this.seeks || this.stats.state === 'idle') return;  // another seek, or closed, meanwhile
    const segment = this.segments().find((s) => s.end > us);
    const codec = segment?.codec ?? 'mjpeg';
    this.stats.codec = codec;
    this.playback = codec === 'h264' ? new VideoPlayback(this, us) : new JpegPlayback(this, us);
    if (this.pausedWanted) this.playback.pause();
  }

  painted(captureUs) {
    this.stats.captureUs = captureUs;
    this.stats.pictures++;
    if (this.stats.firstPictureMs == null) {
      this.stats.firstPictureMs = performance.now() - this.stats.seekedAt;
      this.stats.firstCaptureUs = captureUs;
    }
    this.onTime(captureUs);
  }

  setPaused(paused) {
    this.pausedWanted = paused;
    this.stats.state = paused ? 'paused' : 'playing';
    if (paused) this.playback?.pause(); else this.playback?.resume();
  }

  setSpeed(speed) {
    this.speed = speed;
    this.playback?.setSpeed(speed);
  }

  step() {
    this.setPaused(true);
    this.playback?.step();
  }

  ended() {
    if (this.stats.state === 'ended') return;
    this.stats.state = 'ended';
    this.onEnd();
  }

  failed(reason) {
    this.stats.state = 'failed';
    this.onError(reason);
  }

  close() {
    this.seeks++;  // a play() waiting for the list gives up
    this.playback?.close();
    this.playback = null;
    this.stats.state = 'idle';
  }
}
