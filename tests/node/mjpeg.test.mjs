// GET /stream/<stream>.mjpg (issue 11): multipart MJPEG over HTTP for the tools people already
// use. Real readers: ffmpeg decodes it, VLC (cvlc) plays it headless, curl sees well-formed
// parts; the same frames and the same timing as a WebSocket viewer; ?fps= caps one reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWscam, jpegSize } from './lib/wscam.mjs';
import { makeFrames } from './lib/cameras.mjs';
import { openMjpeg, MultipartReader } from './lib/multipart.mjs';
import { sleep, until } from './lib/wait.mjs';

const sha1 = (b) => createHash('sha1').update(b).digest('hex');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const metric = async (server, name) => Number((await (await fetch(`${server.url}/metrics`)).text())
  .match(new RegExp(`^${name} (\\d+)$`, 'm'))[1]);

/** A plain WebSocket viewer that records when each JPEG arrived, by its hash. */
function wsViewer(url) {
  const v = { arrivals: new Map(), frames: 0, ws: new WebSocket(url) };
  v.ws.on('message', (data, binary) => { if (binary) { v.frames++; v.arrivals.set(sha1(data), performance.now()); } });
  v.opened = new Promise((resolve, reject) => { v.ws.once('open', resolve); v.ws.once('error', reject); });
  return v;
}

test('well-formed parts, each the stream\'s JPEG, as soon as a WebSocket viewer gets it', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=30']);
  try {
    assert.doesNotMatch(server.logs(), /source capturing/, 'nobody watches yet: the camera idles');
    const reader = await openMjpeg(`${server.url}/stream/cam.mjpg`);
    assert.equal(reader.status, 200);
    assert.equal(reader.res.headers['content-type'], 'multipart/x-mixed-replace; boundary=wscamframe');
    assert.match(reader.res.headers['cache-control'], /no-store/);
    await until(() => /source capturing/.test(server.logs()), 'an MJPEG reader is demand: the camera starts');
    const ws = wsViewer(`${server.wsUrl}/ws/cam`);
    await ws.opened;
    await until(() => reader.parts.length >= 90 || reader.error, '90 parts', 10000);
    assert.equal(reader.error, null);
    for (const p of reader.parts) assert.deepEqual(jpegSize(p.jpeg), { width: 320, height: 240 });
    // Capture time and frame number in each part: consecutive here (a fast reader skips none).
    const seqs = reader.parts.map((p) => Number(p.headers['x-sequence']));
    assert.ok(seqs.slice(1).every((s, i) => s === seqs[i] + 1), `consecutive X-Sequence: ${seqs.slice(0, 10)}…`);
    const ages = reader.parts.map((p) => Date.now() - Number(p.headers['x-timestamp']) * 1000);
    assert.ok(ages.every((a) => a >= -50 && a < 10000), 'X-Timestamp is the capture time (seconds since the epoch)');
    assert.equal(await metric(server, 'wscam_mjpeg_readers'), 1);
    const api = await (await fetch(`${server.url}/api/streams`)).json();
    assert.equal(api.streams[0].viewers, 2, 'the MJPEG reader counts as a viewer');

    // Timing: the same frames as the WebSocket viewer, at the same moments; no gaps.
    const lags = [];
    for (const p of reader.parts) {
      const t = ws.arrivals.get(sha1(p.jpeg));
      if (t !== undefined) lags.push(p.at - t);
    }
    assert.ok(lags.length >= 60, `the same frames as the WebSocket viewer (${lags.length} matched)`);
    assert.ok(Math.abs(median(lags)) < 20, `MJPEG parts arrive with the WebSocket frames (median difference ${median(lags).toFixed(1)} ms)`);
    const gaps = reader.parts.slice(31).map((p, i) => p.at - reader.parts[30 + i].at);
    assert.ok(Math.max(...gaps) < 250, `no stall between parts (largest gap ${Math.max(...gaps).toFixed(0)} ms at 30 fps)`);
    reader.req.destroy();
    ws.ws.close();
    await until(() => /mjpeg closed stream=cam peer=\S+ frames=\d+ drops=\d+ reason=reader left/.test(server.logs()), 'the close line');
    assert.equal(await metric(server, 'wscam_mjpeg_readers'), 0);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('curl sees well-formed parts; HEAD gets the headers only; ?fps= caps one reader; bad fps and unknown streams are refused', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120&fps=30']);
  try {
    const raw = spawnSync('curl', ['-sN', '--max-time', '2', `${server.url}/stream/cam.mjpg`], { maxBuffer: 64 << 20 }).stdout;
    const parsed = new MultipartReader('wscamframe');
    parsed.push(raw);
    assert.equal(parsed.error, null);
    assert.ok(parsed.parts.length >= 30, `${parsed.parts.length} parts from curl in 2 s`);
    const head = spawnSync('curl', ['-sI', '--max-time', '3', `${server.url}/stream/cam.mjpg`]).stdout.toString();
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head, /Content-Type: multipart\/x-mixed-replace; boundary=wscamframe/);

    const capped = await openMjpeg(`${server.url}/stream/cam.mjpg?fps=2`);
    const full = await openMjpeg(`${server.url}/stream/cam.mjpg`);
    await sleep(3000);
    const [c, f] = [capped.parts.length, full.parts.length];
    capped.req.destroy();
    full.req.destroy();
    assert.ok(c >= 4 && c <= 8, `?fps=2 for 3 s gave ${c} parts`);
    assert.ok(f > 10 * c, `the uncapped reader next to it got ${f}`);
    assert.match(server.logs(), /mjpeg open stream=cam peer=\S+ path=\/stream\/cam\.mjpg fps=2/);

    const bad = await openMjpeg(`${server.url}/stream/cam.mjpg?fps=fast`);
    assert.equal(bad.status, 400);
    await until(() => bad.body.includes('fps must be a number'), 'the reason');
    assert.equal((await openMjpeg(`${server.url}/stream/nope.mjpg`)).status, 404);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('?fps= outside 0.01 to 1000 (a tiny rate, NaN, infinity) is refused with 400 and the range', async () => {
  // 1e-14 once overflowed the conversion to a frame interval (undefined behaviour) and lifted the cap.
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120&fps=30']);
  try {
    for (const fps of ['1e-14', '0.001', '0.0099', 'nan', 'inf', '-inf', '1e400', '1001', '0', '-1', '2fps', '0x10']) {
      const r = await openMjpeg(`${server.url}/stream/cam.mjpg?fps=${fps}`);
      if (r.status !== 400) r.req.destroy();
      assert.equal(r.status, 400, `?fps=${fps}`);
      await until(() => r.body.includes('fps must be a number of frames per second from 0.01 to 1000'), `the reason for ?fps=${fps}`);
    }
    const slow = await openMjpeg(`${server.url}/stream/cam.mjpg?fps=0.01`);
    assert.equal(slow.status, 200, 'the slowest rate (one frame every 100 s) is taken');
    await until(() => slow.parts.length >= 1, 'its first frame');
    await sleep(1000);
    assert.equal(slow.parts.length, 1, 'and capped: one frame in its first second');
    slow.req.destroy();
    assert.match(server.logs(), /mjpeg open stream=cam peer=\S+ path=\/stream\/cam\.mjpg fps=0\.01/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a reader that stops reading while the camera sends nothing more is cut off after --write-timeout', async () => {
  // The write timeout used to be checked only when a frame arrived: with the camera silent, a
  // reader that stopped reading (or vanished without a FIN) held its connection and frame forever.
  const server = await startWscam(['--stream', 'cam=push:', '--write-timeout', '2', '--stall-timeout', '3600']);
  const frames = makeFrames(40, '1280x720');
  const publisher = new WebSocket(`${server.wsUrl}/publish/cam`);
  const reader = net.connect(server.port, '127.0.0.1');
  const connected = new Promise((resolve) => reader.once('connect', resolve));
  try {
    await new Promise((resolve, reject) => { publisher.once('open', resolve); publisher.once('error', reject); });
    await connected;
    reader.write('GET /stream/cam.mjpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    reader.pause();  // reads nothing: the kernel's buffers fill and the server's write stalls
    await until(() => /mjpeg open stream=cam/.test(server.logs()), 'the reader to open');
    for (const f of frames) { publisher.send(f); await sleep(20); }
    // The camera now sends nothing; the reader still does not read.
    const silentSince = performance.now();
    await until(() => /mjpeg closed stream=cam .*reason=not reading: no frame taken for 2 s/.test(server.logs()),
      'the stalled reader to be cut off while no frame arrives', 8000);
    const after = performance.now() - silentSince;
    assert.ok(after < 5000, `cut off ${after.toFixed(0)} ms after the last frame (--write-timeout 2)`);
  } finally {
    reader.destroy();
    publisher.close();
    assert.equal(await server.stop(), 0);
  }
});

test('an idle reader (camera offline, nothing to write) has TCP keepalive, so one that vanished without a FIN is dropped', async () => {
  const server = await startWscam(['--stream', 'cam=push:']);
  const reader = await openMjpeg(`${server.url}/stream/cam.mjpg`);
  try {
    assert.equal(reader.status, 200);
    const local = reader.req.socket.localPort;
    // ss shows the server's end of this connection with its keepalive timer.
    const ss = spawnSync('ss', ['-tnoH', 'state', 'established', `( sport = :${server.port} and dport = :${local} )`],
      { encoding: 'utf8' });
    assert.equal(ss.status, 0, ss.stderr);
    assert.match(ss.stdout, /timer:\(keepalive,/, `the server's socket: ${ss.stdout.trim()}`);
  } finally {
    reader.req.destroy();
    assert.equal(await server.stop(), 0);
  }
});

test('the view token guards it like every other way of watching', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--view-token', 'let-me-watch']);
  try {
    assert.equal((await openMjpeg(`${server.url}/stream/cam.mjpg`)).status, 401);
    const ok = await openMjpeg(`${server.url}/stream/cam.mjpg?token=let-me-watch`);
    assert.equal(ok.status, 200);
    await until(() => ok.parts.length >= 3, 'parts with the token');
    ok.req.destroy();
    assert.doesNotMatch(server.logs(), /let-me-watch/, 'tokens are never logged');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a reader that stops reading skips frames instead of queueing them, and catches up when it reads again', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=1280x720&fps=30&noise=30']);
  try {
    const ws = wsViewer(`${server.wsUrl}/ws/cam`);
    await ws.opened;
    const reader = await openMjpeg(`${server.url}/stream/cam.mjpg`);
    await until(() => reader.parts.length >= 10, 'parts');
    const published = () => metric(server, 'wscam_stream_frames_published_total\\{stream="cam"\\}');
    const droppedBefore = await metric(server, 'wscam_frames_dropped_total');
    reader.res.pause();
    // First the socket buffers fill (how much they hold depends on the kernel's autotuning and
    // Node's own buffer, and how long that takes on the camera's rate: the sanitizer build
    // renders 720p at ~6 fps). The first skipped frame says they are full; from then on, with
    // nobody reading, they do not grow, and every new frame replaces the pending one: skipped,
    // not queued, however long the reader stays paused.
    await until(async () => (await metric(server, 'wscam_frames_dropped_total')) > droppedBefore,
      'the first frame skipped for the paused reader', 20000);
    const [dropped, made] = [await metric(server, 'wscam_frames_dropped_total'), await published()];
    // 20 more frames (about 0.7 s here, longer in the sanitizer build, which renders slower).
    await until(async () => (await published()) - made >= 20, 'the camera to make 20 more frames', 15000);
    const [droppedNow, madeNow] = [await metric(server, 'wscam_frames_dropped_total'), await published()];
    assert.ok(droppedNow - dropped >= madeNow - made - 2,
      `frames skipped for the paused reader: ${droppedNow - dropped} of ${madeNow - made} made while it stayed paused`);
    const resumedAt = performance.now();
    const before = reader.parts.length;
    reader.res.resume();
    // Whatever the kernel's buffers held comes first (1 s is ample); then the reader is back at the
    // live frame. The window after that is as long as the camera takes to make 8 frames, however
    // fast this build and machine make them, and the reader must get at least half of them.
    const settled = resumedAt + 1000;
    await sleep(1000);
    const liveSince = () => [...ws.arrivals.values()].filter((t) => t > settled).length;
    await until(() => liveSince() >= 8, 'the WebSocket viewer to get 8 frames after the reader caught up', 20000);
    const windowEnd = performance.now();
    const fresh = reader.parts.slice(before).filter((p) => p.at > settled && p.at <= windowEnd);
    const live = [...ws.arrivals.values()].filter((t) => t > settled && t <= windowEnd).length;
    assert.ok(fresh.length >= live / 2,
      `${fresh.length} parts in the ${(windowEnd - settled).toFixed(0)} ms after catching up, while the WebSocket viewer got ${live} frames`);
    const lags = fresh.map((p) => p.at - (ws.arrivals.get(sha1(p.jpeg)) ?? -1e9));
    assert.ok(median(lags) < 100, `live again after resuming (median lag behind the WebSocket viewer ${median(lags).toFixed(0)} ms)`);
    reader.req.destroy();
    ws.ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('ffmpeg decodes it and VLC plays it headless', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=15']);
  try {
    const ff = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'info', '-i', `${server.url}/stream/cam.mjpg`,
      '-frames:v', '20', '-f', 'null', '-'], { timeout: 20000 });
    assert.equal(ff.status, 0, ff.stderr.toString());
    assert.match(ff.stderr.toString(), /Stream #0:0: Video: mjpeg.*320x240/);
    assert.match(ff.stderr.toString(), /frame=\s*20\b/);

    // VLC refuses to run as root: run it as nobody, with a scene filter that writes every decoded picture.
    const shots = mkdtempSync(join(tmpdir(), 'wscam-vlc-'));
    chmodSync(shots, 0o777);
    const asNobody = process.getuid() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];
    const vlc = spawn(asNobody[0] || 'cvlc', [...asNobody.slice(1), ...(asNobody.length ? ['env', `HOME=${shots}`, 'cvlc'] : []),
      '-I', 'dummy', '--no-audio', '--vout=dummy', '--video-filter=scene', `--scene-path=${shots}`, '--scene-format=png',
      '--scene-ratio=1', '--scene-prefix=f', `${server.url}/stream/cam.mjpg`], { stdio: 'ignore', env: { ...process.env, HOME: shots } });
    try {
      await until(() => readdirSync(shots).filter((f) => f.endsWith('.png')).length >= 15, 'VLC to decode 15 pictures', 20000);
    } finally {
      vlc.kill('SIGKILL');
    }
    const png = readFileSync(join(shots, readdirSync(shots).filter((f) => f.endsWith('.png')).sort()[5]));
    assert.equal(png.readUInt32BE(16), 320, 'VLC decoded 320-pixel-wide pictures');
    await until(() => (server.logs().match(/mjpeg closed stream=cam/g) || []).length >= 2, 'both readers gone');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
