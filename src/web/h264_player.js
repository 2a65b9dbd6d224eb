// wscam H.264 player: decodes the access units of a wscam.v1 `?codec=h264` stream with WebCodecs.
// An ES module (no build step): `import { WscamH264Player } from './h264_player.js'`.
//
//   const player = new WscamH264Player({ onFrame, onError, onNeedKeyframe });
//   player.push(payload, { keyframe, sequence, captureUs, width, height });  // one Annex B AU
//
// Frame ownership: every VideoFrame is handed to onFrame(frame, meta) exactly once and from then
// on belongs to onFrame, which must close() it (soon: the decoder stalls while it has too many
// frames out). Frames the player does not hand out (after close(), from a replaced decoder) it
// closes itself.
//
// Latest wins: a delta unit can only be decoded after the one before it, so when the decoder falls
// behind (decodeQueueSize grows) or fails, the player drops deltas up to the next keyframe and
// asks for one (onNeedKeyframe); a keyframe arriving on top of a backlog discards the backlog.

// Chunks waiting in the decoder's queue at which a new delta is dropped instead of queued.
const MAX_QUEUE = 3;
// While deltas keep coming without the keyframe asked for, ask again this often (the server
// forces at most one IDR per 0.5 s per stream, so a request can go unanswered).
const ASK_AGAIN_MS = 1000;

const hex = (b) => b.toString(16).padStart(2, '0').toUpperCase();
const sameBytes = (a, b) => a && b && a.length === b.length && a.every((v, i) => v === b[i]);

// The first SPS NAL unit (type 7) of an Annex B access unit, without start code, or null.
// Parameter sets come before the slices, so the scan stops at the first slice (type 1 or 5).
function findSps(au) {
  let start = -1;
  for (let i = 0; i + 2 < au.length; i++) {
    if (au[i] !== 0 || au[i + 1] !== 0 || au[i + 2] !== 1) continue;
    if (start >= 0 && (au[start] & 0x1f) === 7) return trimNal(au, start, i);
    start = i + 3;
    const type = au[start] & 0x1f;
    if (type === 1 || type === 5) return null;
    i += 2;
  }
  return start >= 0 && (au[start] & 0x1f) === 7 ? trimNal(au, start, au.length) : null;
}

// A NAL unit ends where the next start code begins; its zero bytes (of a 4-byte start code or
// trailing_zero_8bits) are not part of it.
function trimNal(au, start, end) {
  while (end > start && au[end - 1] === 0) end--;
  return au.slice(start, end);
}

// 'avc1.PPCCLL' from the SPS: profile_idc, the constraint flags byte, level_idc.
const codecFromSps = (sps) => `avc1.${hex(sps[1])}${hex(sps[2])}${hex(sps[3])}`;

export class WscamH264Player {
  /** Whether this browser decodes `codecString` (e.g. the hello's codec_string) with WebCodecs. */
  static async supported(codecString = 'avc1.42C01F') {
    if (typeof VideoDecoder === 'undefined') return false;
    try {
      const r = await VideoDecoder.isConfigSupported({ codec: codecString, optimizeForLatency: true });
      return r.supported === true;
    } catch {
      return false;  // a malformed codec string
    }
  }

  constructor({ onFrame = (frame) => frame.close(), onError = () => {}, onNeedKeyframe = () => {} } = {}) {
    Object.assign(this, { onFrame, onError, onNeedKeyframe });
    // decoded: frames handed to onFrame; dropped: units pushed that never became a frame;
    // errors: decoder failures; keyframes: keyframes given to the decoder.
    this.counters = { decoded: 0, dropped: 0, errors: 0, keyframes: 0 };
    this.decoder = null;
    this.sps = null;          // the SPS the decoder is configured for
    this.codec = '';          // its codec string
    this.pending = new Map(); // chunk timestamp (the sequence) -> meta, for units in the decoder
    this.waitingForKey = true;
    this.askedAt = -Infinity;
    this.closed = false;
  }

  /**
   * Decodes one access unit (a Uint8Array, copied: the caller may reuse it). Returns whether it
   * went to the decoder (false: dropped, e.g. a delta while waiting for a keyframe).
   */
  push(data, meta) {
    if (this.closed) return false;
    try {
      if (meta.keyframe) return this.pushKeyframe(data, meta);
      // Waiting for a keyframe (the first one, after an error), or the page is too slow: catch
      // up at the next keyframe.
      if (this.waitingForKey || !this.decoder || this.decoder.decodeQueueSize >= MAX_QUEUE) {
        this.waitForKeyframe();
        return this.drop();
      }
      this.decode('delta', data, meta);
      return true;
    } catch (err) {  // configure() or decode() refused the unit (e.g. a "keyframe" without an IDR)
      this.counters.dropped++;
      this.fail(err);
      return false;
    }
  }

  pushKeyframe(data, meta) {
    const sps = findSps(data);
    if (!sps && !this.decoder) throw new Error('H.264 keyframe without an SPS');
    if (this.decoder && this.decoder.decodeQueueSize >= MAX_QUEUE) {
      // Everything queued is older than this keyframe, which needs none of it.
      this.forgetPending();
      this.decoder.reset();  // unconfigures it: configured again below
      this.sps = null;
    }
    if (!this.decoder) this.decoder = this.newDecoder();
    if (sps && !sameBytes(sps, this.sps)) {
      // First keyframe or a new SPS (resolution or profile change). No description: the stream
      // is Annex B with the parameter sets in band.
      this.codec = codecFromSps(sps);
      this.decoder.configure({ codec: this.codec, optimizeForLatency: true });
      this.sps = sps;
    }
    this.decode('key', data, meta);
    this.counters.keyframes++;
    this.waitingForKey = false;
    return true;
  }

  decode(type, data, meta) {
    const timestamp = meta.sequence;
    this.decoder.decode(new EncodedVideoChunk({ type, timestamp, data }));
    this.pending.set(timestamp, meta);
  }

  drop() {
    this.counters.dropped++;
    return false;
  }

  newDecoder() {
    const decoder = new VideoDecoder({
      output: (frame) => {
        if (decoder !== this.decoder) { frame.close(); return; }  // closed player, replaced decoder
        this.counters.decoded++;
        this.onFrame(frame, this.takeMeta(frame.timestamp));
      },
      error: (err) => { if (decoder === this.decoder) this.fail(err); },
    });
    return decoder;
  }

  // The meta pushed with the unit that became this frame. Frames come out in decode order (no
  // B-frames), so units pushed before it that are still pending never became frames.
  takeMeta(timestamp) {
    const meta = this.pending.get(timestamp);
    if (!meta) return null;
    for (const ts of this.pending.keys()) {
      this.pending.delete(ts);
      if (ts === timestamp) break;
      this.counters.dropped++;
    }
    return meta;
  }

  forgetPending() {
    this.counters.dropped += this.pending.size;
    this.pending.clear();
  }

  waitForKeyframe() {
    this.waitingForKey = true;
    const now = performance.now();
    if (now - this.askedAt < ASK_AGAIN_MS) return;
    this.askedAt = now;
    this.onNeedKeyframe();
  }

  // A decoder error: the decoder is gone (WebCodecs closes it on error); a new one is made and
  // configured at the next keyframe, asked for now.
  fail(err) {
    this.counters.errors++;
    this.forgetPending();
    this.closeDecoder();
    this.onError(err);
    if (this.closed) return;  // onError may close the player (e.g. to fall back to JPEG)
    this.askedAt = -Infinity;  // ask even if asked a moment ago
    this.waitForKeyframe();
  }

  closeDecoder() {
    const decoder = this.decoder;
    this.decoder = null;  // its late output is closed unseen, its late errors ignored
    this.sps = null;
    if (decoder && decoder.state !== 'closed') decoder.close();
  }

  /** Releases the decoder; frames still in it are never handed out. Pushes are ignored afterwards. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.forgetPending();
    this.closeDecoder();
  }
}
