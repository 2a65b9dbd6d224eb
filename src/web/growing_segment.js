// wscam viewer, the recorded segment being written, played in a <video> through Media Source
// Extensions. A <video src> of a fragmented MP4 that is still growing has no duration, so the
// browser cannot seek in it and plays from its start: a seek deep into the newest segment showed
// nothing. Here the page reads the file itself (fetch), appends what it gets to a SourceBuffer,
// seeks once the time asked for is buffered, and follows the file as it grows (a Range request
// for the bytes after those it has, every FOLLOW_MS). MSE needs no secure context, so this works
// on plain http:// as <video src> does.
//
// Invariants: the bytes appended are the file's bytes in order, none twice and none skipped (each
// read continues at `received`); appends and removals are one at a time (SourceBuffer.updating);
// what is buffered stays within KEEP_BEHIND_S behind the playhead (or the time asked for, before
// playing starts), so a long segment does not fill the browser's quota.
// The media timeline is the file's own (seconds since the segment's first picture), as with
// <video src>, so the caller maps mediaTime to capture time the same way for both.

import { attachMediaSource, h264TypeOf, mediaSourceClass } from './media_source.js';

const FOLLOW_MS = 500;        // how often to look for more of the file once its end is reached
const KEEP_BEHIND_S = 10;     // buffered media kept behind the playhead (a GOP is shorter)

export class GrowingSegment {
  /**
   * Plays `url` in `video` from `offset` seconds into it. onStart() once the picture at the offset
   * is on its way (the video has sought there); onError(reason) if the browser refuses the file.
   */
  constructor(video, url, { offset, onStart, onError }) {
    Object.assign(this, { video, url, offset, onStart, onError });
    this.received = 0;        // bytes of the file read so far (and handed to `pending`)
    this.pending = [];        // read, not appended yet
    this.grew = true;         // the last read found more of the file
    this.started = false;
    this.source = attachMediaSource(video);
    this.source.addEventListener('sourceopen', () => this.read(), { once: true });
  }

  /** The end of what is buffered, in media seconds (0 before anything is). */
  get bufferedEnd() {
    const b = this.buffer?.buffered;
    return b && b.length ? b.end(b.length - 1) : 0;
  }

  /** Whether the last read found nothing new: the playhead at bufferedEnd has caught up with the file. */
  get atFileEnd() { return !this.grew; }

  /**
   * Reads the file from `received` on, to its end now, then again every FOLLOW_MS. Each read after
   * the first asks from the last byte it has (which it drops), so that a file that has not grown
   * answers that one byte rather than 416 (which the browser would log as a failed load).
   */
  async read() {
    while (!this.closed) {
      const from = Math.max(0, this.received - 1);
      let skip = this.received - from;  // the byte already had
      let grew = false;
      try {
        const res = await fetch(this.url, from ? { headers: { Range: `bytes=${from}-` } } : {});
        if (this.closed) return;
        if (!res.ok || (from && res.status !== 206)) return this.fail(`the segment could not be read (HTTP ${res.status})`);
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (this.closed) return reader.cancel();
          if (done) break;
          const bytes = value.subarray(Math.min(skip, value.length));
          skip -= value.length - bytes.length;
          if (!bytes.length) continue;
          grew = true;
          this.received += bytes.length;
          this.pending.push(bytes);
          this.pump();
        }
      } catch (e) {
        if (this.closed) return;
        return this.fail(`the segment could not be read (${e.message})`);
      }
      this.grew = grew;
      await new Promise((resolve) => { this.wake = setTimeout(resolve, FOLLOW_MS); });
    }
  }

  /** Hands the SourceBuffer its next piece of work: an append, or a removal of what is far behind. */
  pump() {
    if (this.closed || this.source.readyState !== 'open' || this.buffer?.updating) return;
    if (!this.buffer) {
      const type = h264TypeOf(concat(this.pending));
      if (!type) return;  // the init segment is not all here yet
      if (!mediaSourceClass().isTypeSupported(type)) return this.fail(`this browser cannot play ${type}`);
      this.buffer = this.source.addSourceBuffer(type);
      this.buffer.mode = 'segments';
      this.buffer.addEventListener('updateend', () => { this.maybeStart(); this.pump(); });
      this.buffer.addEventListener('error', () => this.fail('the browser refused a piece of the recording'));
    }
    const keepFrom = (this.started ? this.video.currentTime : this.offset) - KEEP_BEHIND_S;
    const b = this.buffer.buffered;
    if (b.length && b.start(0) < keepFrom - 1) return this.buffer.remove(0, keepFrom);
    if (!this.pending.length) return;
    const bytes = concat(this.pending);
    this.pending = [];
    try {
      this.buffer.appendBuffer(bytes);
    } catch (e) {
      this.fail(`the browser refused a piece of the recording (${e.name})`);
    }
  }

  /** Seeks to the offset once it is buffered; plays from there. */
  maybeStart() {
    if (this.started || this.seeking || this.bufferedEnd < this.offset) return;
    this.seeking = true;
    const video = this.video;
    video.onseeked = () => {
      video.onseeked = null;
      this.started = true;
      this.onStart();
    };
    // The first picture is at the segment's start or later: a time before it is that picture.
    video.currentTime = Math.max(this.offset, this.buffer.buffered.start(0));
  }

  fail(reason) {
    if (this.closed) return;
    this.close();
    this.onError(reason);
  }

  close() {
    this.closed = true;
    clearTimeout(this.wake);
    if (this.video.src.startsWith('blob:')) URL.revokeObjectURL(this.video.src);
  }
}

/** The chunks as one array (no copy for one). */
function concat(chunks) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}
