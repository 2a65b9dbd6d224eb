// The ESP32-CAM sketch (firmware/esp32-cam/esp32-cam.ino), compiled unchanged on Linux against
// stand-ins of esp_camera, WiFi, WebServer and arduinoWebSockets (tests/firmware/), run as a
// real process: its camera is a folder of JPEGs at a set frame rate, its WebSockets are real
// sockets. FIRMWARE_BIN is that program (esp32cam_standin), WSCAM_BIN the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { startWscam, jpegSize } from './lib/wscam.mjs';
import { launchChromium, openPage } from './lib/browser.mjs';

const FIRMWARE_BIN = process.env.FIRMWARE_BIN || '/tmp/build-fw/esp32cam_standin';
const TOKEN = 'board-secret';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Frames: real JPEGs from ffmpeg, at VGA (the sketch's default size) and QVGA, so that a
// framesize change shows in the pictures the board sends.
// ---------------------------------------------------------------------------------------------
let framesDir;
before(() => {
  framesDir = mkdtempSync(join(tmpdir(), 'esp32cam-frames-'));
  for (const [name, size] of [['vga', '640x480'], ['qvga', '320x240']]) {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`,
      '-frames:v', '20', '-q:v', '5', join(framesDir, `${name}-%03d.jpg`)]);
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  }
});
after(() => rmSync(framesDir, { recursive: true, force: true }));

/** Starts the sketch; `env` is added to the stand-in's ESP32CAM_STANDIN_* settings. */
function startBoard(env) {
  const proc = spawn(FIRMWARE_BIN, [], {
    env: { ...process.env, ESP32CAM_STANDIN_FRAMES: framesDir, ESP32CAM_STANDIN_FPS: '20', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serial = '';
  let log = '';
  const waiters = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = (serial + log).slice(w.from).match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  proc.stdout.on('data', (d) => { serial += d; check(); });
  proc.stderr.on('data', (d) => { log += d; check(); });
  let ended = null;  // why the board is gone
  const end = (why) => {
    ended = why;
    for (const w of waiters.splice(0)) w.reject(new Error(`board ${why} before printing ${w.re}; output:\n${serial}\n${log}`));
  };
  const exited = new Promise((resolve) => {
    proc.once('exit', (code, signal) => { end(`exited (${code ?? signal})`); resolve(); });
    proc.once('error', (e) => { end(`could not start: ${FIRMWARE_BIN} (set FIRMWARE_BIN): ${e.message}`); resolve(); });
  });
  return {
    proc,
    serial: () => serial,
    log: () => log,
    /** Resolves when `re` shows up in the board's output (Serial or stand-in log). */
    waitFor(re, ms = 10000) {
      return new Promise((resolve, reject) => {
        const w = { re, resolve, reject, from: 0 };
        waiters.push(w);
        check();
        if (ended && waiters.includes(w)) end(ended);
        setTimeout(() => reject(new Error(`board never printed ${re}; output:\n${serial}\n${log}`)), ms).unref();
      });
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A free TCP port on 127.0.0.1 (for the board's own fixed ports in local mode). */
async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Collects a ws client's messages; `next(pred)` waits for the next matching one. */
function recorder(ws) {
  const messages = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const m = isBinary ? { binary: true, data, at: performance.now() } : { binary: false, json: safeJson(data.toString()), text: data.toString() };
    messages.push(m);
    for (const w of [...waiters]) {
      if (messages.length > w.from && w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    messages,
    /** The next message (after the ones seen so far) for which pred is true. */
    next(pred, ms = 8000, what = 'a message') {
      return new Promise((resolve, reject) => {
        waiters.push({ pred, resolve, from: messages.length });
        setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(messages.filter((m) => !m.binary).map((m) => m.text))}`)), ms).unref();
      });
    },
    /** Like next(), but a matching message that already came counts too. */
    any(pred, ms = 8000, what = 'a message') {
      const already = messages.find(pred);
      return already ? Promise.resolve(already) : this.next(pred, ms, what);
    },
  };
}

function safeJson(t) {
  try { return JSON.parse(t); } catch { return undefined; }
}

const isText = (type, extra = () => true) => (m) => !m.binary && m.json?.type === type && extra(m.json);
const isFrame = (m) => m.binary;

/** A wscam.v1 frame: 32-byte header (big-endian) + JPEG. */
function parseFrame(buf) {
  return { width: buf.readUInt16BE(2), height: buf.readUInt16BE(4), sequence: Number(buf.readBigUInt64BE(8)), jpeg: buf.subarray(buf[1]) };
}

const EXPECTED_IDS = ['framesize', 'quality', 'brightness', 'contrast', 'saturation', 'special_effect', 'awb', 'awb_gain', 'wb_mode',
  'aec', 'aec2', 'ae_level', 'aec_value', 'agc', 'agc_gain', 'gainceiling', 'bpc', 'wpc', 'raw_gma', 'lenc', 'hmirror', 'vflip',
  'dcw', 'colorbar', 'led_intensity'];

/** Checks the shape of the board's controls (docs/PROTOCOL.md "Controls"). */
function checkControls(controls) {
  assert.deepEqual(controls.map((c) => c.id), EXPECTED_IDS, 'every CameraWebServer control, and the LED of the AI-Thinker board');
  for (const c of controls) {
    assert.equal(typeof c.name, 'string');
    assert.ok(['int', 'bool', 'menu'].includes(c.type), `${c.id}: type ${c.type}`);
    assert.equal(typeof c.value, 'number', `${c.id}: value`);
    if (c.type === 'int') {
      for (const k of ['min', 'max', 'step']) assert.equal(typeof c[k], 'number', `${c.id}.${k}`);
      assert.ok(c.value >= c.min && c.value <= c.max, `${c.id}: ${c.value} in ${c.min}..${c.max}`);
    }
    if (c.type === 'bool') assert.ok(c.value === 0 || c.value === 1, `${c.id}: ${c.value}`);
    if (c.type === 'menu') assert.ok(c.options.some((o) => o.value === c.value), `${c.id}: value ${c.value} is an option`);
  }
  const byId = Object.fromEntries(controls.map((c) => [c.id, c]));
  assert.deepEqual(byId.brightness, { id: 'brightness', name: 'Brightness', type: 'int', min: -2, max: 2, step: 1, value: 0 });
  assert.deepEqual(byId.awb, { id: 'awb', name: 'Auto white balance', type: 'bool', value: 1 });
  assert.deepEqual(byId.wb_mode, { id: 'wb_mode', name: 'White balance', type: 'menu', value: 0,
    options: [{ value: 0, label: 'Auto' }, { value: 1, label: 'Sunny' }, { value: 2, label: 'Cloudy' }, { value: 3, label: 'Office' }, { value: 4, label: 'Home' }] });
  assert.deepEqual([byId.quality.min, byId.quality.max], [4, 63]);
  assert.deepEqual([byId.aec_value.min, byId.aec_value.max, byId.agc_gain.max, byId.led_intensity.max], [0, 1200, 30, 255]);
  assert.deepEqual(byId.special_effect.options.map((o) => o.label), ['No effect', 'Negative', 'Grayscale', 'Red tint', 'Green tint', 'Blue tint', 'Sepia']);
  assert.deepEqual(byId.gainceiling.options.map((o) => o.label), ['2x', '4x', '8x', '16x', '32x', '64x', '128x']);
  // esp32-camera's framesize_t up to the OV2640's largest, UXGA; VGA (10) is the sketch's default.
  const sizes = byId.framesize.options;
  assert.equal(sizes.length, 16);
  assert.deepEqual(sizes.at(-1), { value: 15, label: 'UXGA 1600x1200' });
  assert.deepEqual(sizes.find((o) => o.value === 10), { value: 10, label: 'VGA 640x480' });
  assert.deepEqual(sizes.find((o) => o.value === 6), { value: 6, label: 'QVGA 320x240' });
  assert.equal(byId.framesize.value, 10);
  return byId;
}

// ---------------------------------------------------------------------------------------------
// 1. Push mode against the real wscam
// ---------------------------------------------------------------------------------------------

test('push mode: the board publishes to wscam and a viewer gets every frame at the camera rate, evenly', async () => {
  const server = await startWscam(['--stream', 'cam=push:', '--publish-token', TOKEN]);
  const board = startBoard({ ESP32CAM_STANDIN_PORT: String(server.port), ESP32CAM_STANDIN_TOKEN: TOKEN, ESP32CAM_STANDIN_FPS: '15' });
  try {
    await board.waitFor(/connected to the server \(\/publish\/cam\)/);
    // How the sketch set up camera and WiFi for speed.
    assert.match(board.log(), /fb_count=2 grab_mode=CAMERA_GRAB_LATEST fb_location=PSRAM/);
    assert.match(board.log(), /WiFi\.setSleep\(false\)/);
    assert.doesNotMatch(board.serial(), new RegExp(TOKEN), 'the token is never printed');

    const ws = new WebSocket(`${server.wsUrl}/ws/cam`, ['wscam.v1']);
    const rec = recorder(ws);
    await rec.next(isFrame, 8000, 'first frame');
    await sleep(200);  // settle
    const start = rec.messages.length;
    await sleep(2000);
    const frames = rec.messages.slice(start).filter(isFrame);
    ws.close();

    const rate = (frames.length - 1) / ((frames.at(-1).at - frames[0].at) / 1000);
    assert.ok(Math.abs(rate - 15) <= 15 * 0.15, `viewer rate ${rate.toFixed(2)} fps, camera 15 fps`);
    const parsed = frames.map((f) => parseFrame(f.data));
    for (const f of parsed) {
      assert.deepEqual([f.width, f.height], [640, 480]);
      assert.deepEqual(jpegSize(f.jpeg), { width: 640, height: 480 });
    }
    // wscam skips a frame for a viewer that falls behind (a loaded test machine): a few at most.
    const skipped = parsed.at(-1).sequence - parsed[0].sequence + 1 - parsed.length;
    assert.ok(skipped <= 2, `${skipped} frames skipped on the way`);
    const period = 1000 / 15;
    const gaps = frames.slice(1).map((f, i) => f.at - frames[i].at).sort((a, b) => a - b);
    const p10 = gaps[Math.floor(gaps.length * 0.1)];
    assert.ok(p10 >= period * 0.5, `no bursts: 10th percentile gap ${p10.toFixed(1)} ms (period ${period.toFixed(1)} ms)`);
    assert.ok(gaps.at(-1) <= period * 3, `no stall: longest gap ${gaps.at(-1).toFixed(1)} ms`);
  } finally {
    await board.stop();
    await server.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Controls: the board's side against a publish endpoint of the test's own, then end to end
//    through wscam.
// ---------------------------------------------------------------------------------------------

/** A publish endpoint like wscam's: /publish/<stream>?token=… */
async function startFakePublishServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const connections = [];
  const waiting = [];
  wss.on('connection', (ws, req) => {
    const conn = { ws, req, rec: recorder(ws) };
    connections.push(conn);
    waiting.shift()?.(conn);
  });
  return {
    port: wss.address().port,
    connections,
    nextConnection(ms = 10000) {
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        setTimeout(() => reject(new Error('the board did not connect')), ms).unref();
      });
    },
    close: () => { for (const c of wss.clients) c.terminate(); return new Promise((r) => wss.close(r)); },
  };
}

test('controls, board side: hello first with every control; control messages applied and answered; errors', async () => {
  const fake = await startFakePublishServer();
  const board = startBoard({ ESP32CAM_STANDIN_PORT: String(fake.port), ESP32CAM_STANDIN_TOKEN: 'a b&c', ESP32CAM_STANDIN_STREAM: 'cam',
    ESP32CAM_STANDIN_FAIL: 'contrast' });
  try {
    const first = await fake.nextConnection();
    const url = new URL(first.req.url, 'http://x');
    assert.equal(url.pathname, '/publish/cam');
    assert.equal(url.searchParams.get('token'), 'a b&c', 'the token is URL-encoded');
    assert.equal(first.req.headers['user-agent'], 'arduino-WebSocket-Client');

    const hello = await first.rec.next(() => true, 5000, 'first message');
    assert.equal(hello.binary, false, 'the first message is the hello text, before any frame');
    assert.equal(hello.json.type, 'hello');
    checkControls(hello.json.controls);
    await first.rec.next(isFrame, 5000, 'a frame after the hello');

    const ask = async (id, value) => {
      const reply = first.rec.next((m) => !m.binary && ['control_changed', 'error'].includes(m.json?.type), 5000, `reply to ${id}=${value}`);
      first.ws.send(JSON.stringify({ type: 'control', id, value }));
      return (await reply).json;
    };
    assert.deepEqual(await ask('brightness', 1), { type: 'control_changed', id: 'brightness', value: 1 });
    assert.deepEqual(await ask('wb_mode', 2), { type: 'control_changed', id: 'wb_mode', value: 2 });
    assert.deepEqual(await ask('quality', 10), { type: 'control_changed', id: 'quality', value: 10 });
    assert.deepEqual(await ask('awb', false), { type: 'control_changed', id: 'awb', value: 0 });
    assert.deepEqual(await ask('led_intensity', 128), { type: 'control_changed', id: 'led_intensity', value: 128 });
    assert.deepEqual(await ask('framesize', 6), { type: 'control_changed', id: 'framesize', value: 6 });
    await board.waitFor(/sensor: brightness=1/, 3000);  // stderr may come after the reply
    await board.waitFor(/ledcWrite\(pin=4, duty=128\)/, 3000);
    // The stand-in camera now gives QVGA pictures.
    const small = await first.rec.next((m) => m.binary && jpegSize(m.data)?.width === 320, 5000, 'a 320x240 frame');
    assert.deepEqual(jpegSize(small.data), { width: 320, height: 240 });

    assert.deepEqual(await ask('quality', 70), { type: 'error', id: 'quality', reason: 'value out of range' });
    assert.deepEqual(await ask('framesize', 16), { type: 'error', id: 'framesize', reason: 'value out of range' });
    assert.deepEqual(await ask('fly', 1), { type: 'error', id: 'fly', reason: 'unknown control' });
    assert.deepEqual(await ask('contrast', 1), { type: 'error', id: 'contrast', reason: 'the sensor refused it (error -1)' });
    assert.deepEqual(await ask('brightness', 'x'), { type: 'error', id: 'brightness', reason: 'control needs an integer value' });
    assert.deepEqual(await ask('brightness', 1.5), { type: 'error', id: 'brightness', reason: 'control needs an integer value' });
    const asDouble = first.rec.next(isText('control_changed'), 5000, 'reply to value -1.0');
    first.ws.send('{"type":"control","id":"brightness","value":-1.0}');  // how wscam writes numbers
    assert.deepEqual((await asDouble).json, { type: 'control_changed', id: 'brightness', value: -1 });
    assert.deepEqual(await ask('brightness', 1), { type: 'control_changed', id: 'brightness', value: 1 });
    // Anything but a control message gets no answer (no echo loops with a server's replies).
    first.ws.send('not json');
    first.ws.send(JSON.stringify({ type: 'error', id: 'brightness', reason: 'something' }));
    first.ws.send(JSON.stringify({ type: 'something-else' }));
    assert.deepEqual(await ask('hmirror', 1), { type: 'control_changed', id: 'hmirror', value: 1 }, 'the next reply is to the next control');
    // Quoting in ids is escaped in the reply.
    assert.deepEqual(await ask('a"b\\c', 1), { type: 'error', id: 'a"b\\c', reason: 'unknown control' });

    // Reconnect: the next hello shows the values now in effect.
    first.ws.close(1001, 'going away');
    const second = await fake.nextConnection();
    const hello2 = await second.rec.next(() => true, 5000, 'hello after reconnect');
    const byId = Object.fromEntries(hello2.json.controls.map((c) => [c.id, c.value]));
    assert.deepEqual([byId.brightness, byId.wb_mode, byId.quality, byId.awb, byId.framesize, byId.led_intensity, byId.contrast],
      [1, 2, 10, 0, 6, 128, 0]);
  } finally {
    await board.stop();
    await fake.close();
  }
});

test('controls through wscam: viewers see the board\'s controls, change them, and see the result', async () => {
  const server = await startWscam(['--stream', 'cam=push:', '--publish-token', TOKEN]);
  const board = startBoard({ ESP32CAM_STANDIN_PORT: String(server.port), ESP32CAM_STANDIN_TOKEN: TOKEN });
  // A viewer that is already watching when the board arrives.
  const early = new WebSocket(`${server.wsUrl}/ws/cam`, ['wscam.v1']);
  const earlyRec = recorder(early);
  try {
    await board.waitFor(/connected to the server/);
    const announced = await earlyRec.any(isText('controls'), 8000, 'controls message to a viewer already connected');
    assert.equal(announced.json.stream, 'cam');
    checkControls(announced.json.controls);

    const ws = new WebSocket(`${server.wsUrl}/ws/cam`, ['wscam.v1']);
    const rec = recorder(ws);
    const hello = await rec.next(isText('hello'), 8000, 'hello');
    checkControls(hello.json.controls);
    await rec.next(isFrame, 8000, 'a frame');

    const change = async (id, value) => {
      const mine = rec.next(isText('control_changed', (j) => j.id === id), 8000, `control_changed for ${id}`);
      const theirs = earlyRec.next(isText('control_changed', (j) => j.id === id), 8000, `control_changed for ${id} (other viewer)`);
      ws.send(JSON.stringify({ type: 'control', id, value }));
      const [a, b] = await Promise.all([mine, theirs]);
      assert.deepEqual(b.json, a.json, 'every viewer hears of it');
      return a.json;
    };
    assert.deepEqual(await change('brightness', 1), { type: 'control_changed', stream: 'cam', id: 'brightness', value: 1 });
    assert.deepEqual(await change('wb_mode', 3), { type: 'control_changed', stream: 'cam', id: 'wb_mode', value: 3 });
    assert.deepEqual(await change('quality', 20), { type: 'control_changed', stream: 'cam', id: 'quality', value: 20 });
    assert.deepEqual(await change('framesize', 6), { type: 'control_changed', stream: 'cam', id: 'framesize', value: 6 });
    // (the board logs on stderr, which may reach us after its WebSocket reply)
    await board.waitFor(/sensor: brightness=1[\s\S]*sensor: wb_mode=3[\s\S]*sensor: quality=20[\s\S]*sensor: framesize=6/, 3000);
    const small = await rec.next((m) => m.binary && parseFrame(m.data).width === 320, 8000, 'a 320x240 frame');
    assert.deepEqual(jpegSize(parseFrame(small.data).jpeg), { width: 320, height: 240 });

    // Refused by wscam itself, from the board's announced range: the board never hears of it.
    const before = board.log().length;
    const refused = rec.next(isText('error'), 8000, 'error for quality 70');
    ws.send(JSON.stringify({ type: 'control', id: 'quality', value: 70 }));
    assert.equal(typeof (await refused).json.reason, 'string');
    await sleep(300);
    assert.doesNotMatch(board.log().slice(before), /quality=70/);

    // A viewer joining later sees the values now in effect.
    const late = new WebSocket(`${server.wsUrl}/ws/cam`, ['wscam.v1']);
    const lateHello = await recorder(late).next(isText('hello'), 8000, 'hello (late viewer)');
    const values = Object.fromEntries(lateHello.json.controls.map((c) => [c.id, c.value]));
    assert.deepEqual([values.brightness, values.wb_mode, values.quality, values.framesize], [1, 3, 20, 6]);
    late.close();
    ws.close();
  } finally {
    early.close();
    await board.stop();
    await server.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// 3. Reconnect
// ---------------------------------------------------------------------------------------------

test('reconnect: wscam stopped and started again on the same port; the board comes back by itself', async () => {
  let server = await startWscam(['--stream', 'cam=push:', '--publish-token', TOKEN]);
  const port = server.port;
  const board = startBoard({ ESP32CAM_STANDIN_PORT: String(port), ESP32CAM_STANDIN_TOKEN: TOKEN });
  try {
    await board.waitFor(/connected to the server/);
    const watch = async () => {
      const ws = new WebSocket(`${server.wsUrl}/ws/cam`, ['wscam.v1']);
      const rec = recorder(ws);
      await rec.next(isFrame, 10000, 'a frame');
      const started = performance.now();
      await rec.next(isFrame, 5000, 'another frame');
      ws.close();
      return performance.now() - started;
    };
    await watch();

    await server.stop('SIGTERM');
    await board.waitFor(/disconnected from the server; reconnecting/, 5000);
    await sleep(1000);  // the board keeps trying against a closed port meanwhile
    const restarted = performance.now();
    server = await startWscam(['--port', String(port), '--stream', 'cam=push:', '--publish-token', TOKEN]);
    assert.equal(server.port, port);
    await board.waitFor(/connected to the server[^\n]*\n[\s\S]*connected to the server/, 8000);
    await watch();
    const took = performance.now() - restarted;
    assert.ok(took < 8000, `frames again ${took.toFixed(0)} ms after the restart`);
    assert.equal(board.proc.exitCode, null, 'the board never restarted itself');
  } finally {
    await board.stop();
    await server.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// 4. Local mode (the tutorial's layout)
// ---------------------------------------------------------------------------------------------

test('local mode: the page loads, and every connected WebSocket client gets the frames, not only the last', async () => {
  const httpPort = await freePort();
  const wsPort = await freePort();
  const board = startBoard({ ESP32CAM_STANDIN_MODE: 'local', ESP32CAM_STANDIN_HTTP_PORT: String(httpPort),
    ESP32CAM_STANDIN_WS_PORT: String(wsPort), ESP32CAM_STANDIN_FPS: '15' });
  try {
    await board.waitFor(/ws server: listening/);
    await board.waitFor(/web server: listening/);
    const res = await fetch(`http://127.0.0.1:${httpPort}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const page = await res.text();
    assert.match(page, new RegExp(`const WS_PORT = ${wsPort};`));
    assert.match(page, /URL\.createObjectURL/, 'frames are shown as Blob URLs');
    assert.doesNotMatch(page, /btoa|base64/, 'no base64 in the browser');

    const a = new WebSocket(`ws://127.0.0.1:${wsPort}/`);
    const ra = recorder(a);
    await once(a, 'open');
    const b = new WebSocket(`ws://127.0.0.1:${wsPort}/`);
    const rb = recorder(b);
    await once(b, 'open');
    await Promise.all([ra.next(isFrame, 5000, 'frame (first client)'), rb.next(isFrame, 5000, 'frame (second client)')]);
    const [na, nb] = [ra.messages.length, rb.messages.length];
    await sleep(2000);
    const fa = ra.messages.slice(na).filter(isFrame);
    const fb = rb.messages.slice(nb).filter(isFrame);
    for (const [name, frames] of [['first', fa], ['second', fb]]) {
      assert.ok(frames.length >= 24 && frames.length <= 36, `${name} client: ${frames.length} frames in 2 s at 15 fps`);
      for (const f of frames) assert.deepEqual(jpegSize(f.data), { width: 640, height: 480 });
    }
    assert.ok(ra.messages.every((m) => m.binary) && rb.messages.every((m) => m.binary), 'nothing but frames, unasked');

    // The same control messages work here; the change is announced to every client.
    const seen = rb.next(isText('control_changed'), 5000, 'control_changed (other client)');
    a.send(JSON.stringify({ type: 'control', id: 'brightness', value: -1 }));
    assert.deepEqual((await seen).json, { type: 'control_changed', id: 'brightness', value: -1 });
    a.close();
    b.close();
  } finally {
    await board.stop();
  }
});

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

test('local mode: the board\'s page shows the live picture in Chromium', { skip: !existsSync(CHROMIUM) && 'no chromium' }, async () => {
  const httpPort = await freePort();
  const wsPort = await freePort();
  const board = startBoard({ ESP32CAM_STANDIN_MODE: 'local', ESP32CAM_STANDIN_HTTP_PORT: String(httpPort),
    ESP32CAM_STANDIN_WS_PORT: String(wsPort) });
  const browser = await launchChromium();
  try {
    await board.waitFor(/web server: listening/);
    const { page, errors } = await openPage(browser, `http://127.0.0.1:${httpPort}/`);
    await page.waitForFunction(() => {
      const img = document.getElementById('v');
      return img.src.startsWith('blob:') && img.complete && img.naturalWidth === 640 && /fps/.test(document.getElementById('s').textContent);
    }, null, { timeout: 10000, polling: 100 });
    const first = await page.evaluate(() => document.getElementById('v').src);
    await page.waitForFunction((src) => document.getElementById('v').src !== src, first, { timeout: 3000, polling: 50 });
    const fps = await page.evaluate(() => parseFloat(document.getElementById('s').textContent));
    assert.ok(fps > 10, `the page shows ${fps} fps of the camera's 20`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await board.stop();
  }
});
