// examples/color_tracker.py (Debian's python3-opencv + python3-websockets) against the real
// wscam, fed by a real ffmpeg that moves a red 40x40 square along y=80 at 60 px/s, wrapping
// every 240 px: x = (t*60) mod 240. The tracker must report where ffmpeg put the square,
// publish annotated frames to a push: stream, keep up, and stop cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { startWscam, jpegSize } from './lib/wscam.mjs';
import { sleep, until } from './lib/wait.mjs';

const TRACKER = new URL('../../examples/color_tracker.py', import.meta.url).pathname;
// Debian's cv2 lives in Debian's python3; a python3 earlier on PATH (pyenv, a venv) lacks it.
const PYTHON = process.env.PYTHON3 || '/usr/bin/python3';

const FPS = 15;
const SPEED = 60;   // px/s
const PERIOD = 240; // px: x = (t*SPEED) mod PERIOD
const BOX = 40;
const BOX_Y = 80;

/** ffmpeg drawing the moving red square on black, as an MJPEG byte stream on stdout. */
function ffmpegSquare(seconds) {
  // drawbox evaluates x once (its `t` is the thickness); overlay evaluates x per frame with t = time.
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
    '-f', 'lavfi', '-i', `color=c=black:s=320x240:r=${FPS}`,
    '-f', 'lavfi', '-i', `color=c=red:s=${BOX}x${BOX}:r=${FPS}`,
    '-filter_complex', `[0][1]overlay=x='mod(t*${SPEED},${PERIOD})':y=${BOX_Y}:shortest=1`,
    '-t', String(seconds), '-f', 'mjpeg', '-q:v', '3', '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
}

const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** Runs the tracker; collects its JSON lines (with the time each arrived) and its stderr. */
function startTracker(args) {
  const proc = spawn(PYTHON, [TRACKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const t = { proc, lines: [], stderr: '', exited: once(proc, 'exit') };
  let partial = '';
  proc.stdout.on('data', (d) => {
    const at = nowUs();
    const parts = (partial + d).split('\n');
    partial = parts.pop();
    for (const p of parts) t.lines.push({ ...JSON.parse(p), at });
  });
  proc.stderr.on('data', (d) => { t.stderr += d; });
  t.stop = async (signal = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const [code, sig] = await t.exited;
    return { code, sig };
  };
  return t;
}

/** A wscam.v1 viewer: each frame's header fields and JPEG. */
function watch(url) {
  const v = { frames: [], ws: new WebSocket(url, ['wscam.v1']) };
  v.ws.on('message', (data, binary) => {
    if (!binary) return;
    v.frames.push({ seq: Number(data.readBigUInt64BE(8)), captureUs: Number(data.readBigUInt64BE(16)),
      jpeg: data.subarray(data[1]), at: performance.now() });
  });
  v.opened = once(v.ws, 'open');
  v.close = () => { v.ws.terminate(); };
  return v;
}

/**
 * Decodes a JPEG with ffmpeg into RGB24 pixels. Asynchronously: this process relays ffmpeg's
 * frames into wscam's stdin, and a blocked event loop would hold them back.
 */
async function decodeRgb(jpeg) {
  const p = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'jpeg_pipe', '-i', 'pipe:',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = [];
  let err = '';
  p.stdout.on('data', (d) => out.push(d));
  p.stderr.on('data', (d) => { err += d; });
  p.stdin.end(jpeg);
  const [code] = await once(p, 'exit');
  assert.equal(code, 0, `ffmpeg decodes the JPEG: ${err}`);
  return Buffer.concat(out);
}

/** Bounding box of the pixels of the tracker's drawing colour (cyan, for red) within rows y0..y1. */
function cyanExtent(rgb, width, y0, y1) {
  let n = 0; let minX = Infinity; let maxX = -Infinity;
  for (let y = y0; y <= y1; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (rgb[i] < 100 && rgb[i + 1] > 150 && rgb[i + 2] > 150) { n++; minX = Math.min(minX, x); maxX = Math.max(maxX, x); }
    }
  }
  return { n, minX, maxX };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
/** a - b on a circle of PERIOD px, in -PERIOD/2..PERIOD/2. */
const circularDiff = (a, b) => ((((a - b) % PERIOD) + PERIOD * 1.5) % PERIOD) - PERIOD / 2;

test('the tracker follows the square ffmpeg moves and publishes a live annotated stream', async (t) => {
  const server = await startWscam(['--stream', 'cam=pipe:-', '--stream', 'cam-tracked=push:'], { stdin: 'pipe' });
  server.proc.stdin.on('error', () => {});  // EPIPE once wscam has stopped
  // Watch the source before ffmpeg starts: frame 1 is ffmpeg's t=0, the trajectory's origin.
  const source = watch(`${server.wsUrl}/ws/cam`);
  await source.opened;
  const ffmpeg = ffmpegSquare(25);
  ffmpeg.stdout.pipe(server.proc.stdin);
  let tracker;
  let tracked;
  try {
    await until(() => source.frames.length > 0, 'the first frame from ffmpeg', 8000);
    assert.equal(source.frames[0].seq, 1, 'the source viewer saw the first frame');
    const t0Us = source.frames[0].captureUs;

    tracker = startTracker(['--url', `${server.wsUrl}/ws/cam`, '--color', 'red',
      '--publish-url', `${server.wsUrl}/publish/cam-tracked`]);
    await until(() => tracker.lines.length > 0, 'the tracker\'s first JSON line', 10000);

    // The annotated stream, while the tracker keeps reporting.
    await until(async () => {
      const api = await (await fetch(`${server.url}/api/streams`)).json();
      return api.streams.find((s) => s.name === 'cam-tracked').online;
    }, 'cam-tracked to come online', 5000);
    tracked = watch(`${server.wsUrl}/ws/cam-tracked`);
    await tracked.opened;
    const framesBefore = (await (await fetch(`${server.url}/api/streams`)).json()).streams.find((s) => s.name === 'cam-tracked').frames;
    await until(() => tracked.frames.length > 0, 'a first annotated frame', 3000);
    const countFrom = tracked.frames.length;
    await sleep(2000);
    const fps = (tracked.frames.length - countFrom) / 2;
    const api = (await (await fetch(`${server.url}/api/streams`)).json()).streams.find((s) => s.name === 'cam-tracked');
    t.diagnostic(`annotated stream: ${fps} fps`);
    assert.ok(fps >= 10, `annotated frames at ${fps} fps (at least 10)`);
    assert.equal(api.online, true);
    assert.ok(api.frames > framesBefore, `/api/streams counts cam-tracked frames (${framesBefore} -> ${api.frames})`);
    assert.equal(api.width, 320);

    // The box is drawn: the tracker's colour (cyan for red) is on the annotated frame, at the
    // square's rows and as wide as the square, and nowhere on ffmpeg's frame.
    const annotated = tracked.frames.at(-1).jpeg;
    assert.deepEqual(jpegSize(annotated), { width: 320, height: 240 });
    const sourceJpegs = new Set(source.frames.map((f) => f.jpeg.toString('base64')));
    assert.ok(!sourceJpegs.has(annotated.toString('base64')), 'the annotated frame is a new JPEG');
    const drawn = cyanExtent(await decodeRgb(annotated), 320, BOX_Y + 3, BOX_Y + BOX - 4);
    assert.ok(drawn.n > 60, `box edges drawn at the square's rows (${drawn.n} pixels)`);
    assert.ok(Math.abs(drawn.maxX - drawn.minX + 1 - BOX) <= 4, `the box is ${drawn.maxX - drawn.minX + 1} px wide`);
    assert.equal(cyanExtent(await decodeRgb(source.frames.at(-1).jpeg), 320, 0, 239).n, 0, 'ffmpeg drew no cyan');

    // At least 5 s of positions: more than one wrap of the 4-second trajectory.
    await until(() => tracker.lines.length >= 75, '75 JSON lines', 10000);
    const lines = tracker.lines.slice();
    const errors = lines.map((l) => Math.abs(circularDiff(l.x, ((l.capture_us - t0Us) / 1e6 * SPEED) % PERIOD)));
    t.diagnostic(`${lines.length} positions, seq ${lines[0].seq}..${lines.at(-1).seq}; |x - expected| max ${Math.max(...errors).toFixed(1)} px, median ${median(errors).toFixed(1)} px`);
    for (const l of lines) {
      assert.equal(l.found, true, `found in ${JSON.stringify(l)}`);
      assert.ok(Math.abs(l.w - BOX) <= 6 && Math.abs(l.h - BOX) <= 6, `a ${BOX}x${BOX} box: ${JSON.stringify(l)}`);
      assert.ok(Math.abs(l.y - BOX_Y) <= 6, `at y=${BOX_Y}: ${JSON.stringify(l)}`);
      assert.ok(Math.abs(l.cx - (l.x + (l.w - 1) / 2)) <= 2 && Math.abs(l.cy - (l.y + (l.h - 1) / 2)) <= 2, `centre in the box: ${JSON.stringify(l)}`);
      assert.ok(Math.abs(l.area - BOX * BOX) <= 300, `area ${l.area}`);
      const expected = ((l.capture_us - t0Us) / 1e6 * SPEED) % PERIOD;
      assert.ok(Math.abs(circularDiff(l.x, expected)) <= 15,
        `x=${l.x} where ffmpeg put it at ${expected.toFixed(1)} (capture ${((l.capture_us - t0Us) / 1e3).toFixed(0)} ms after frame 1, seq ${l.seq})`);
    }
    let wraps = 0;
    let expectedWraps = 0;
    for (let i = 1; i < lines.length; i++) {
      const [a, b] = [lines[i - 1], lines[i]];
      assert.ok(b.seq > a.seq, `newer frames only: seq ${a.seq} then ${b.seq}`);
      if (b.cx <= a.cx) {
        assert.ok(a.cx - b.cx > PERIOD / 2, `cx moves forward except at the wrap: ${a.cx} then ${b.cx} (seq ${a.seq}, ${b.seq})`);
        wraps++;
      }
      const turn = (l) => Math.floor((l.capture_us - t0Us) / 1e6 * SPEED / PERIOD);
      expectedWraps += turn(b) - turn(a);
    }
    assert.ok(wraps >= 1 && Math.abs(wraps - expectedWraps) <= 1, `${wraps} wraps seen, ${expectedWraps} expected`);

    // It keeps up: positions printed soon after capture, and no frame left behind for long.
    const lags = lines.map((l) => (l.at - l.capture_us) / 1000);
    t.diagnostic(`processing lag p50 ${median(lags).toFixed(1)} ms, p90 ${quantile(lags, 0.9).toFixed(1)} ms; ${wraps} wraps`);
    assert.ok(median(lags) < 200, `processing lag p50 ${median(lags).toFixed(1)} ms, p90 ${quantile(lags, 0.9).toFixed(1)} ms`);
    const newest = source.frames.at(-1).seq;
    assert.ok(newest - tracker.lines.at(-1).seq <= 3, `the tracker is at seq ${tracker.lines.at(-1).seq}, the camera at ${newest}`);
    assert.doesNotMatch(tracker.stderr, /skipped|Traceback/);
  } finally {
    tracked?.close();
    source.close();
    const exit = tracker ? await tracker.stop('SIGTERM') : { code: 0 };
    ffmpeg.kill();
    const code = await server.stop();
    assert.deepEqual(exit, { code: 0, sig: null }, `the tracker exits 0 on SIGTERM:\n${tracker?.stderr}`);
    assert.equal(code, 0, 'wscam exits 0');
  }
});

test('plain JPEG messages: bad ones skipped, bursts drained to the newest, both connections come back', async (t) => {
  // Frames of the same square at x = 4*i (i from 0), rendered by ffmpeg.
  const dir = mkdtempSync(join(tmpdir(), 'wscam-tracker-'));
  let frames;
  try {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=320x240:r=15',
      '-f', 'lavfi', '-i', 'color=c=red:s=40x40:r=15', '-filter_complex', '[0][1]overlay=x=t*60:y=80:shortest=1',
      '-frames:v', '60', '-q:v', '3', join(dir, '%03d.jpg')]);
    assert.equal(r.status, 0, String(r.stderr));
    frames = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(frames.length, 60);

  // A relay that speaks no subprotocol (like the tutorial's sketch) and a publish endpoint.
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => false });
  const sources = [];
  const publishers = [];
  wss.on('connection', (ws, req) => {
    if (req.url === '/ws/cam') { sources.push(ws); return; }
    const p = { ws, url: req.url, frames: [], texts: [] };
    ws.on('message', (data, binary) => (binary ? p.frames : p.texts).push(binary ? data : data.toString()));
    publishers.push(p);
  });
  await once(wss, 'listening');
  const base = `ws://127.0.0.1:${wss.address().port}`;
  const tracker = startTracker(['--url', `${base}/ws/cam`, '--color', 'red', '--token', 'a b&c', '--reconnect-max', '0.5']);
  let sent = 0;
  const send = (buf) => { sources.at(-1).send(buf); sent++; };
  try {
    await until(() => sources.length === 1 && publishers.length === 1, 'the tracker to connect to both', 10000);
    assert.equal(sources[0].protocol, '', 'no subprotocol picked');
    assert.equal(publishers[0].url, '/publish/cam-tracked?token=a%20b%26c', 'default publish URL, token encoded');
    await until(() => publishers[0].texts.length === 1, 'the publisher\'s status text');
    assert.match(publishers[0].texts[0], /^color_tracker: red /);

    send(Buffer.from('not a jpeg'));
    await until(() => /skipped frame 1: not a JPEG \(10 bytes, starts 6e6f7420\)/.test(tracker.stderr), 'the message that is not a JPEG to be skipped');
    send(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]));
    await until(() => /skipped frame 2: the JPEG does not decode \(9 bytes\)/.test(tracker.stderr), 'the undecodable JPEG to be skipped');
    sources[0].send('a text message');
    await until(() => /source says: a text message/.test(tracker.stderr), 'the text message to be logged');
    send(frames[10]);
    await until(() => tracker.lines.length === 1, 'a position after the bad messages');
    const first = tracker.lines[0];
    assert.equal(first.seq, 3, 'plain messages are counted');
    assert.ok(first.found && Math.abs(first.x - 40) <= 2 && Math.abs(first.y - 80) <= 2, JSON.stringify(first));
    assert.ok(Math.abs(first.capture_us - first.at) < 1e6, 'capture_us is the arrival time');
    await until(() => publishers[0].frames.length === 1, 'the annotated frame');
    assert.deepEqual(jpegSize(publishers[0].frames[0]), { width: 320, height: 240 });

    // A burst of 60 frames sent back to back: the tracker skips to the newest, never queues.
    const before = tracker.lines.length;
    for (const f of frames) send(f);
    await until(() => tracker.lines.at(-1).seq === sent, 'the last frame of the burst to be reported');
    await sleep(300);
    const burst = tracker.lines.slice(before);
    t.diagnostic(`${burst.length} of a burst of ${frames.length} frames processed`);
    assert.ok(burst.length < frames.length / 2, `${burst.length} of ${frames.length} burst frames processed`);
    assert.ok(Math.abs(burst.at(-1).x - 59 * 4) <= 2, `the newest frame's square: ${JSON.stringify(burst.at(-1))}`);

    // Both connections drop; the tracker reconnects to each and carries on.
    sources[0].close(1001, 'going away');
    publishers[0].ws.close(1001, 'going away');
    await until(() => sources.length === 2 && publishers.length === 2, 'both reconnections', 8000);
    // The tracker publishes once its side of the new publish connection is up: it says so first.
    await until(() => publishers[1].texts.length === 1, 'the new publish connection\'s status text');
    send(frames[20]);
    await until(() => publishers[1].frames.length === 1, 'an annotated frame on the new publish connection');
    assert.ok(Math.abs(tracker.lines.at(-1).x - 80) <= 2, JSON.stringify(tracker.lines.at(-1)));
    assert.match(tracker.stderr, /source: reconnecting in/);
    assert.match(tracker.stderr, /publish: reconnecting in/);
  } finally {
    const exit = await tracker.stop('SIGINT');
    for (const c of wss.clients) c.terminate();
    wss.close();
    assert.deepEqual(exit, { code: 0, sig: null }, `the tracker exits 0 on SIGINT:\n${tracker.stderr}`);
  }
  assert.doesNotMatch(tracker.stderr, /Traceback/);
});

test('bad options are refused with exit status 2', async () => {
  const cases = [['--color', 'red'], ['--url', 'ws://127.0.0.1:1/ws/x'],
    ['--url', 'ws://127.0.0.1:1/ws/x', '--hsv-low', '200,0,0', '--hsv-high', '10,255,255']];
  await Promise.all(cases.map(async (args) => {
    const p = spawn(PYTHON, [TRACKER, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += d; });
    const [code] = await once(p, 'exit');
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /usage:/);
  }));
});
