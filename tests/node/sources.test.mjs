// Sources beyond the test pattern, each against a real peer or a byte-exact emulator.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWscam, jpegSize, collect, WSCAM_BIN } from './lib/wscam.mjs';
import { makeFrames, decodes, startCameraWebServer, startTutorialSketch } from './lib/cameras.mjs';

let frames;
before(() => { frames = makeFrames(30); });

function run(bin, args) {
  return new Promise((resolve) => {
    const p = spawn(bin, args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.once('error', (e) => resolve({ status: -1, stdout, stderr: String(e) }));
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

async function viewFrames(server, count, path = '/ws') {
  const ws = new WebSocket(`${server.wsUrl}${path}`);
  const got = await collect(ws, count);
  ws.close();
  return got.binary;
}

test('pipe:- takes an MJPEG stream from a real ffmpeg process', async () => {
  const server = await startWscam(['--source', 'pipe:-'], { stdin: 'pipe' });
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
    '-t', '20', '-q:v', '5', '-f', 'mjpeg', '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
  ffmpeg.stdout.pipe(server.proc.stdin);
  try {
    const got = await viewFrames(server, 20);
    for (const f of got) assert.deepEqual(jpegSize(f), { width: 320, height: 240 });
    assert.ok(decodes(got[5]), 'a relayed frame decodes with ffmpeg');
  } finally {
    ffmpeg.kill();
    await server.stop();
  }
});

test('http:// pulls multipart MJPEG from ffmpeg serving -f mpjpeg', async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25',
    '-t', '30', '-q:v', '5', '-f', 'mpjpeg', '-listen', '1', `http://127.0.0.1:${port}/stream`], { stdio: 'ignore' });
  const server = await startWscam(['--source', `http://127.0.0.1:${port}/stream`, '--reconnect-delay', '0.1', '--reconnect-max', '0.3']);
  try {
    const got = await viewFrames(server, 15);
    for (const f of got) assert.deepEqual(jpegSize(f), { width: 320, height: 240 });
    assert.ok(decodes(got.at(-1)));
  } finally {
    ffmpeg.kill();
    await server.stop();
  }
});

test('http:// pulls from an ESP32 CameraWebServer (chunked, its boundary and headers)', async () => {
  const cam = await startCameraWebServer(frames);
  // A stall timeout shorter than the viewing: the stream must not be taken for stalled while
  // frames flow (a read that never returned to the session once did that every stall timeout).
  const server = await startWscam(['--source', cam.url, '--stall-timeout', '1']);
  try {
    const ws = new WebSocket(`${server.wsUrl}/ws`, ['wscam.v1']);  // wscam.v1: status messages too
    await collect(ws, 1);
    const { binary, text } = await collect(ws, 50);  // 2.5 s at the camera's 20 fps
    ws.close();
    const got = binary.map((m) => m.subarray(m[1]));  // the JPEG behind the wscam.v1 header
    const offline = text.map((t) => JSON.parse(t)).filter((m) => m.type === 'status' && m.state === 'offline');
    assert.deepEqual(offline, [], 'online all along');
    const sent = new Set(frames.map((f) => f.toString('base64')));
    for (const f of got) assert.ok(sent.has(f.toString('base64')), 'relayed byte for byte');
    const api = await (await fetch(`${server.url}/api/streams`)).json();
    assert.equal(api.streams[0].width, 320);
    assert.equal(api.streams[0].online, true);
  } finally {
    await server.stop();
    await cam.kill();
  }
});

test('http:// to a single-JPEG URL (/capture) is polled at --fps', async () => {
  const cam = await startCameraWebServer(frames);
  const server = await startWscam(['--source', cam.captureUrl, '--fps', '10']);
  try {
    const got = await viewFrames(server, 8);
    const sent = new Set(frames.map((f) => f.toString('base64')));
    for (const f of got) assert.ok(sent.has(f.toString('base64')));
    assert.ok(new Set(got.map((f) => f.toString('base64'))).size >= 6, 'each poll brings the next picture');
    assert.ok(cam.captures() >= 8);
  } finally {
    await server.stop();
    await cam.kill();
  }
});

test('ws:// pulls from the tutorial sketch; its text messages reach viewers as status', async () => {
  const sketch = await startTutorialSketch(frames);
  const server = await startWscam(['--source', sketch.url]);
  try {
    const ws = new WebSocket(`${server.wsUrl}/ws`, ['wscam.v1']);
    const { binary, text } = await collect(ws, 20);
    ws.close();
    for (const f of binary) assert.deepEqual(jpegSize(f.subarray(f[1])), { width: 320, height: 240 });
    const messages = text.map((t) => JSON.parse(t)).filter((m) => m.type === 'status' && m.message);
    assert.equal(messages.at(-1)?.message, 'Connected to ESP32-CAM');
  } finally {
    await server.stop();
    await sketch.close();
  }
});

test('push: a camera publishes with the token; viewers get its frames; wrong tokens and second publishers are refused', async () => {
  const server = await startWscam(['--source', 'push:', '--publish-token', 'let-me-in']);
  const publish = (token) => new WebSocket(`${server.wsUrl}/publish/default${token ? `?token=${token}` : ''}`);
  try {
    for (const token of ['wrong', '']) {
      const bad = publish(token);
      const status = await new Promise((r) => bad.once('unexpected-response', (_q, res) => r(res.statusCode)));
      assert.equal(status, 401);
    }
    const cam = publish('let-me-in');
    await new Promise((r) => cam.once('open', r));
    let n = 0;
    const timer = setInterval(() => cam.send(frames[n++ % frames.length]), 50);
    cam.send(Buffer.from('not a jpeg at all'));  // refused, never forwarded
    const got = await viewFrames(server, 10);
    const sent = new Set(frames.map((f) => f.toString('base64')));
    for (const f of got) assert.ok(sent.has(f.toString('base64')));

    const second = publish('let-me-in');
    const closed = await new Promise((r) => second.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    assert.deepEqual(closed, { code: 1008, reason: 'stream already has a publisher' });
    assert.equal(cam.readyState, WebSocket.OPEN, 'the first publisher keeps the stream');
    clearInterval(timer);
    cam.close();
    assert.match(server.logs(), /bad frame refused: not a JPEG/);
  } finally {
    await server.stop();
  }
});

test('push: with --publish-takeover a new publisher replaces the old one', async () => {
  const server = await startWscam(['--source', 'push:', '--publish-takeover']);
  try {
    const first = new WebSocket(`${server.wsUrl}/publish/default`);
    await new Promise((r) => first.once('open', r));
    const firstClosed = new Promise((r) => first.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    const second = new WebSocket(`${server.wsUrl}/publish/default`);
    await new Promise((r) => second.once('open', r));
    assert.deepEqual(await firstClosed, { code: 1008, reason: 'replaced by a new publisher' });
    const timer = setInterval(() => second.send(frames[0]), 50);
    assert.equal((await viewFrames(server, 3)).length, 3);
    clearInterval(timer);
    second.close();
  } finally {
    await server.stop();
  }
});

test('file: plays a folder of JPEGs and an .mjpeg clip, looping', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-files-'));
  frames.slice(0, 5).forEach((f, i) => writeFileSync(join(dir, `frame${String(i).padStart(3, '0')}.jpg`), f));
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  const clip = join(dir, 'clip.mjpeg');
  writeFileSync(clip, Buffer.concat(frames.slice(0, 4)));
  for (const source of [`file:${dir}?fps=50`, `file:${clip}?fps=50`]) {
    const server = await startWscam(['--source', source]);
    try {
      const got = await viewFrames(server, 12);  // more than the files hold: it loops
      const order = got.map((f) => frames.findIndex((x) => x.equals(f)));
      assert.ok(order.every((i) => i >= 0), `${source}: every frame is one of the files`);
      assert.ok(order.includes(0) && order.includes(3), `${source}: ${order}`);
    } finally {
      await server.stop();
    }
  }
});

test('--probe reports what a camera sends, or why it failed', async () => {
  const cam = await startCameraWebServer(frames);
  try {
    // Not spawnSync: the emulator lives in this process and must keep serving meanwhile.
    const ok = await run(WSCAM_BIN, ['--source', cam.url, '--probe', '--probe-seconds', '10']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /size: +320x240/);
    assert.match(ok.stdout, /format: +JPEG 4:2:0/);
    assert.match(ok.stdout, /fps: +\d+\.\d/);
  } finally {
    await cam.kill();
  }
  const bad = spawnSync(WSCAM_BIN, ['--source', cam.url, '--probe', '--probe-seconds', '1'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /no frames received: Connection refused/);
});
