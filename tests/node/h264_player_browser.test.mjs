// Chromium plays H.264 access units with src/web/h264_player.js (WebCodecs), without the server:
// ffmpeg encodes constrained-baseline Annex B streams, Node splits them into the access units
// wscam sends (one per binary message) and a tiny page pushes them to the player the way
// viewer_h264.js does. Every VideoFrame a decoder outputs is tracked, and must be closed exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, openPage } from './lib/browser.mjs';

const PLAYER = readFileSync(new URL('../../src/web/h264_player.js', import.meta.url));
const GRID = [16, 12];  // block means compared with ffmpeg's own decoding

function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// A camera-like stream: x264 constrained baseline, an IDR every 30 frames (SPS and PPS in band),
// zerolatency (several slices per picture). `aud` adds access-unit delimiters. Tagged BT.709 so
// Chromium and ffmpeg convert it to RGB alike (untagged, Chromium takes BT.709, swscale BT.601).
function encode(dir, name, size, seconds, aud) {
  const file = join(dir, `${name}.h264`);
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`, '-t', String(seconds), '-c:v', 'libx264',
    '-profile:v', 'baseline', '-tune', 'zerolatency', '-g', '30', '-sc_threshold', '0',
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709',
    ...(aud ? ['-x264-params', 'aud=1'] : []), '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', file]);
  return file;
}

// Splits an Annex B stream into access units: one starts at an access-unit delimiter, a parameter
// set or SEI after a slice, or at a slice with first_mb_in_slice 0 (ue(v) 0 is the bit '1') after
// a slice. A unit with an IDR slice (type 5) is a keyframe.
function accessUnits(stream) {
  const units = [];
  let start = 0;
  let sawSlice = false;
  let keyframe = false;
  for (let i = 0; i + 4 < stream.length; i++) {
    if (stream[i] !== 0 || stream[i + 1] !== 0 || stream[i + 2] !== 1) continue;
    const type = stream[i + 3] & 0x1f;
    const slice = type === 1 || type === 5;
    const at = i > 0 && stream[i - 1] === 0 ? i - 1 : i;  // a 4-byte start code
    if (sawSlice && ([6, 7, 8, 9].includes(type) || (slice && stream[i + 4] & 0x80))) {
      units.push({ data: stream.subarray(start, at), keyframe });
      start = at;
      sawSlice = keyframe = false;
    }
    sawSlice ||= slice;
    keyframe ||= type === 5;
    i += 2;
  }
  units.push({ data: stream.subarray(start), keyframe });
  return units;
}

// The wscam.v1 header's fields for the units of one stream, numbered from `firstSequence`.
const withMeta = (units, [width, height], firstSequence) => units.map((u, i) => ({
  b64: Buffer.from(u.data).toString('base64'), keyframe: u.keyframe, sequence: firstSequence + i,
  captureUs: 1_700_000_000_000_000 + (firstSequence + i) * 33_333, width, height,
}));

// Mean R, G, B of each block of a GRID over an RGB(A) picture (the page computes the same).
function blockMeans(px, w, h, channels) {
  const [gx, gy] = GRID;
  const out = [];
  for (let by = 0; by < gy; by++) {
    for (let bx = 0; bx < gx; bx++) {
      const sum = [0, 0, 0];
      let n = 0;
      for (let y = Math.floor(by * h / gy); y < Math.floor((by + 1) * h / gy); y++) {
        for (let x = Math.floor(bx * w / gx); x < Math.floor((bx + 1) * w / gx); x++) {
          const o = (y * w + x) * channels;
          sum[0] += px[o]; sum[1] += px[o + 1]; sum[2] += px[o + 2]; n++;
        }
      }
      out.push(...sum.map((s) => s / n));
    }
  }
  return out;
}
const distance = (a, b) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

// The page: the player, and a harness that wraps VideoDecoder (to see every frame it outputs and
// every configure()) and VideoFrame.close (to count the closes of each frame).
const HARNESS = `
'use strict';
const made = [];
const closes = new Map();
const configured = [];
const decoders = [];
const NativeDecoder = VideoDecoder;
window.VideoDecoder = class extends NativeDecoder {
  constructor(init) {
    super({ ...init, output: (f) => { made.push(f); init.output(f); } });
    decoders.push(this);
  }
  configure(config) { configured.push(config.codec); return super.configure(config); }
};
const nativeClose = VideoFrame.prototype.close;
VideoFrame.prototype.close = function () { closes.set(this, (closes.get(this) || 0) + 1); return nativeClose.call(this); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const GRID = ${JSON.stringify(GRID)};
${blockMeans.toString()}
function fnv(px) {
  let h = 0x811c9dc5;
  for (let i = 0; i < px.length; i++) h = Math.imul(h ^ px[i], 16777619);
  return h >>> 0;
}

// Pushes the units (one every paceMs, or all at once with 0), waits until the player is idle,
// closes it and reports what happened.
window.play = async (units, { paceMs = 33, closeAfterPush = false } = {}) => {
  made.length = 0; closes.clear(); configured.length = 0; decoders.length = 0;
  const canvas = new OffscreenCanvas(1, 1);
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const frames = [];
  const errors = [];
  let needs = 0;
  let closed = false;
  let lastOutput = performance.now();
  const player = new WscamH264Player({
    onFrame(frame, meta) {
      lastOutput = performance.now();
      const w = frame.displayWidth, h = frame.displayHeight;
      if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
      g.drawImage(frame, 0, 0);
      const px = g.getImageData(0, 0, w, h).data;
      frame.close();
      frames.push({ sequence: meta.sequence, metaSize: [meta.width, meta.height], size: [w, h],
        hash: fnv(px), blocks: blockMeans(px, w, h, 4), afterClose: closed });
    },
    onError(err) { errors.push(err.name + ': ' + err.message); },
    onNeedKeyframe() { needs++; },
  });
  const data = units.map((u) => Uint8Array.from(atob(u.b64), (c) => c.charCodeAt(0)));
  let maxQueue = 0;
  for (let i = 0; i < units.length; i++) {
    const { b64, ...meta } = units[i];
    player.push(data[i], meta);
    maxQueue = Math.max(maxQueue, player.decoder ? player.decoder.decodeQueueSize : 0);
    if (paceMs) await sleep(paceMs);
  }
  // Idle: half a second without a frame and nothing queued (at most 10 s: a stuck decoder fails the
  // test by its counts rather than hanging it).
  const deadline = performance.now() + 10000;
  while (!closeAfterPush && performance.now() < deadline
         && (performance.now() - lastOutput < 500 || (player.decoder && player.decoder.decodeQueueSize > 0))) await sleep(20);
  const codec = player.codec;
  player.close();
  closed = true;
  const counters = { ...player.counters };
  const pushAfterClose = player.push(data[0], units[0]);
  await sleep(300);
  return { frames, errors, needs, counters, codec, configured: [...configured], maxQueue, pushAfterClose,
    decodersOpen: decoders.filter((d) => d.state !== 'closed').length,
    made: made.length, closedOnce: made.filter((f) => closes.get(f) === 1).length };
};
`;

let dir, browser, server, page, pageErrors, small, big, reference;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wscam-h264-'));
  small = accessUnits(readFileSync(encode(dir, 'small', '320x240', 3, true)));
  big = accessUnits(readFileSync(encode(dir, 'big', '640x480', 1, false)));
  // ffmpeg's own decoding of the small stream, for comparing pictures.
  const rgb = ffmpeg(['-i', join(dir, 'small.h264'), '-vf', 'scale=in_color_matrix=bt709', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:']);
  const frameBytes = 320 * 240 * 3;
  reference = Array.from({ length: rgb.length / frameBytes },
    (_, i) => blockMeans(rgb.subarray(i * frameBytes, (i + 1) * frameBytes), 320, 240, 3));
  server = http.createServer((req, res) => {
    if (req.url === '/h264_player.js' || req.url === '/harness.js') {
      res.setHeader('content-type', 'text/javascript');
      return res.end(req.url === '/harness.js' ? HARNESS : PLAYER);
    }
    res.setHeader('content-type', 'text/html');
    // The player is an ES module: the page imports it and hands it to the harness (and to the
    // tests' page.evaluate) as window.WscamH264Player.
    res.end('<!doctype html><script type="module">import { WscamH264Player } from \'/h264_player.js\';'
      + ' window.WscamH264Player = WscamH264Player;</script><script src="/harness.js"></script>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
  ({ page, errors: pageErrors } = await openPage(browser, `http://127.0.0.1:${server.address().port}/`));
});
after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const play = (units, options) => page.evaluate(([u, o]) => window.play(u, o), [units, options]);
const sequences = (r) => r.frames.map((f) => f.sequence);

// What holds for every run: each frame output closed exactly once, none handed out after close(),
// no decoder left open and pushes refused after close(), every unit either decoded or counted as
// dropped, no page errors.
function assertClean(r, pushed) {
  assert.equal(r.decodersOpen, 0, 'close() closed the decoder');
  assert.equal(r.closedOnce, r.made, `${r.made} frames made, ${r.closedOnce} closed exactly once`);
  assert.equal(r.frames.filter((f) => f.afterClose).length, 0, 'no frame after close()');
  assert.equal(r.pushAfterClose, false);
  assert.equal(r.counters.decoded, r.frames.length);
  assert.equal(r.counters.decoded + r.counters.dropped, pushed, JSON.stringify(r.counters));
  assert.deepEqual(pageErrors, []);
}

test('the encoded streams are what the other tests assume', () => {
  assert.equal(small.length, 90);
  assert.deepEqual(small.flatMap((u, i) => (u.keyframe ? [i] : [])), [0, 30, 60]);
  assert.equal(big.length, 30);
  assert.ok(big[0].keyframe && !big[1].keyframe);
  assert.equal(reference.length, 90);
});

test('supported() asks WebCodecs', async () => {
  const r = await page.evaluate(async () => {
    const yes = await WscamH264Player.supported('avc1.42C01F');
    const no = await WscamH264Player.supported('avc1.bogus');
    const saved = window.VideoDecoder;
    window.VideoDecoder = undefined;
    const without = await WscamH264Player.supported('avc1.42C01F');
    window.VideoDecoder = saved;
    return { yes, no, without };
  });
  assert.deepEqual(r, { yes: true, no: false, without: false });
});

test('a stream at 30 fps: (nearly) every frame decoded, at its size, with its own picture', async () => {
  const r = await play(withMeta(small, [320, 240], 1000));
  assertClean(r, 90);
  assert.ok(r.frames.length >= 80, `${r.frames.length} of 90 frames decoded`);
  assert.deepEqual(r.errors, []);
  assert.equal(r.needs, 0);
  assert.equal(r.counters.keyframes, 3);
  assert.equal(r.codec, 'avc1.42C00D', 'from the SPS: constrained baseline, level 1.3');
  assert.deepEqual(r.configured, ['avc1.42C00D'], 'configured once: the later keyframes have the same SPS');
  assert.deepEqual(sequences(r), [...sequences(r)].sort((a, b) => a - b), 'in order');
  for (const f of r.frames) {
    assert.deepEqual(f.size, [320, 240]);
    assert.deepEqual(f.metaSize, [320, 240]);
  }
  assert.equal(new Set(r.frames.map((f) => f.hash)).size, r.frames.length, 'every picture differs');
  // Each frame shows the picture ffmpeg decodes for that unit: closer to it than to its neighbours
  // (so the meta belongs to the frame), and close in absolute terms (about 1 of 255 here).
  for (const f of r.frames) {
    const i = f.sequence - 1000;
    const own = distance(f.blocks, reference[i]);
    assert.ok(own < 2, `frame ${i}: mean block difference ${own.toFixed(1)} from ffmpeg's picture`);
    for (const j of [i - 1, i + 1].filter((k) => k >= 0 && k < 90)) {
      assert.ok(own < distance(f.blocks, reference[j]), `frame ${i} looks more like frame ${j}`);
    }
  }
});

test('joining at a delta frame: deltas dropped until the keyframe, no error', async () => {
  const r = await play(withMeta(small, [320, 240], 0).slice(5, 60));
  assertClean(r, 55);
  assert.deepEqual(r.errors, [], 'no DataError: a delta never reaches an unconfigured decoder');
  assert.ok(r.needs >= 1, 'a keyframe was asked for');
  assert.equal(sequences(r)[0], 30, 'the first frame is the keyframe');
  assert.ok(r.counters.dropped >= 25, `${r.counters.dropped} dropped`);
  assert.ok(r.frames.length >= 27, `${r.frames.length} of 30 decodable frames decoded`);
});

// The NAL units at the start of an access unit up to the first one that is not a parameter set.
function parameterSets(unit) {
  for (let i = 0; i + 3 < unit.length; i++) {
    if (unit[i] === 0 && unit[i + 1] === 0 && unit[i + 2] === 1 && ![7, 8].includes(unit[i + 3] & 0x1f)) {
      return unit.subarray(0, unit[i - 1] === 0 ? i - 1 : i);
    }
  }
  throw new Error('no slice');
}

// A unit the decoder fails on (its error callback) and one decode() refuses (it throws): either
// way one onError, nothing until the next keyframe, then decoding again. Chromium checks that a
// key chunk holds an IDR only where it needs one (after configure()): a delta flagged keyframe
// mid-stream decodes fine, so this one comes with a new SPS.
const spoilers = {
  'garbled slices': [/^EncodingError/, (u) => {
    const bad = Buffer.from(u.b64, 'base64');
    for (let i = 8; i < bad.length; i++) bad[i] ^= 0x55;  // keep the delimiter
    return { ...u, b64: bad.toString('base64') };
  }],
  'a "keyframe" with a new SPS but no IDR': [/^DataError/, (u) => ({
    ...u, keyframe: true, b64: Buffer.concat([parameterSets(big[0].data), Buffer.from(u.b64, 'base64')]).toString('base64'),
  })],
};
for (const [what, [error, spoil]] of Object.entries(spoilers)) {
  test(`${what}: onError, then decoding resumes at the next keyframe`, async () => {
    const units = withMeta(small, [320, 240], 0);
    units[40] = spoil(units[40]);
    const r = await play(units);
    assertClean(r, 90);
    assert.equal(r.errors.length, 1, r.errors.join('; '));
    assert.match(r.errors[0], error);
    assert.equal(r.counters.errors, 1);
    assert.ok(r.needs >= 1, 'a keyframe was asked for');
    const seq = sequences(r);
    assert.deepEqual(seq.filter((s) => s >= 40 && s < 60), [], 'nothing between the error and the keyframe');
    assert.ok(seq.includes(60), 'resumed at the keyframe');
    assert.ok(seq.filter((s) => s < 40).length >= 36 && seq.filter((s) => s >= 60).length >= 27, seq.join(','));
  });
}

test('a resolution change at a keyframe: reconfigured from the new SPS', async () => {
  const units = [...withMeta(small.slice(0, 45), [320, 240], 0), ...withMeta(big, [640, 480], 45)];
  const r = await play(units);
  assertClean(r, 75);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.configured, ['avc1.42C00D', 'avc1.42C01E']);
  const sizes = (from, to) => r.frames.filter((f) => f.sequence >= from && f.sequence < to).map((f) => f.size.join('x'));
  assert.ok(sizes(0, 45).length >= 40 && sizes(0, 45).every((s) => s === '320x240'), sizes(0, 45).join(','));
  assert.ok(sizes(45, 75).length >= 27 && sizes(45, 75).every((s) => s === '640x480'), sizes(45, 75).join(','));
});

test('a page too slow for the stream: latest wins, no backlog builds up', async () => {
  // All 90 units at once: the decoder cannot keep up with that.
  const r = await play(withMeta(small, [320, 240], 0), { paceMs: 0 });
  assertClean(r, 90);
  assert.deepEqual(r.errors, []);
  assert.ok(r.maxQueue <= 3, `decodeQueueSize reached ${r.maxQueue}`);
  assert.ok(r.needs >= 1, 'a keyframe was asked for');
  assert.ok(r.counters.dropped >= 60, `${r.counters.dropped} dropped`);
  assert.ok(sequences(r).includes(60), `the newest keyframe is shown: ${sequences(r).join(',')}`);
});

test('close() with units still in the decoder: nothing handed out afterwards, every frame closed', async () => {
  const r = await play(withMeta(small, [320, 240], 0).slice(0, 3), { paceMs: 0, closeAfterPush: true });
  assertClean(r, 3);
});
