// When frames arrive, not only how many: for every kind of source, a camera stand-in stamps
// its send time into each JPEG at 10 fps, a plain viewer of wscam reads the stamps back, and
// the time each frame spent inside wscam (arrival − send) must be a few milliseconds, with
// the gaps between frames matching the camera's interval. A source that batches frames
// (issue 9: HTTP pull waited for 64 KiB of body) fails here. V4L2 is measured by the VM test.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { startWscam } from './lib/wscam.mjs';
import { makeFrames } from './lib/cameras.mjs';
import { stamp, stampOf, nowUs, percentile } from './lib/stamps.mjs';

const FPS = 10;
const WARMUP = 5;
const MEASURED = 30;
// A few ms on loopback; bounded by a quarter of the frame interval so that a loaded machine
// does not fail it, while the batching bug (100–800 ms) always does.
const P95_MS = 1000 / FPS / 4;
let small;  // ~8 KB (QVGA, like the ESP32 tutorial's frames)
let large;  // ~50 KB (HD)

before(() => {
  small = makeFrames(10, '320x240');
  large = makeFrames(10, '1280x720');
  const avg = (fs) => fs.reduce((s, f) => s + f.length, 0) / fs.length / 1024;
  console.log(`frames: small ${avg(small).toFixed(1)} KiB, large ${avg(large).toFixed(1)} KiB`);
});

/** Reads stamped frames from a plain wscam viewer; resolves with latencies and gaps (ms). */
function measure(wsUrl, { stamped = true } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const latencies = [];
    const arrivals = [];
    let seen = 0;
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`only ${seen} frames in 20 s`)); }, 20000);
    ws.on('message', (data, binary) => {
      if (!binary) return;
      const now = nowUs();
      if (++seen <= WARMUP) return;
      arrivals.push(now);
      if (stamped) {
        const sent = stampOf(data);
        if (sent === null) { ws.terminate(); reject(new Error('a frame without its stamp')); return; }
        latencies.push((now - sent) / 1000);
      }
      if (arrivals.length === MEASURED) {
        clearTimeout(timer);
        ws.close();
        const gaps = arrivals.slice(1).map((t, i) => (t - arrivals[i]) / 1000);
        resolve({ latencies, gaps });
      }
    });
    ws.on('error', reject);
  });
}

function check(what, { latencies, gaps }) {
  const interval = 1000 / FPS;
  const summary = `${what}: added latency p50 ${percentile(latencies, 50)?.toFixed(1)} p95 ` +
    `${percentile(latencies, 95)?.toFixed(1)} max ${Math.max(...latencies).toFixed(1)} ms; gaps p5 ` +
    `${percentile(gaps, 5).toFixed(0)} p50 ${percentile(gaps, 50).toFixed(0)} max ${Math.max(...gaps).toFixed(0)} ms`;
  console.log(summary);
  if (latencies.length) assert.ok(percentile(latencies, 95) <= P95_MS, summary);
  // Frames arrive one by one at the camera's pace, not in bursts.
  assert.ok(Math.abs(percentile(gaps, 50) - interval) <= interval * 0.2, summary);
  assert.ok(percentile(gaps, 5) >= interval * 0.5, `bursts (frames arriving together): ${summary}`);
  assert.ok(Math.max(...gaps) <= interval * 2.5, `a stall: ${summary}`);
}

/** Sends stamped frames every 1/FPS s through `send`; returns a stop function. */
function pace(frames, send) {
  let n = 0;
  const t = setInterval(() => send(stamp(frames[n++ % frames.length])), 1000 / FPS);
  return () => clearInterval(t);
}

/** Espressif's CameraWebServer /stream, byte for byte (chunked) or as a plain close-delimited body. */
async function multipartCamera(frames, { chunked }) {
  const boundary = '123456789000000000000987654321';
  const stops = new Set();
  const part = (jpeg) => [`\r\n--${boundary}\r\n`,
    `Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\nX-Timestamp: 0.000000\r\n\r\n`, jpeg];
  let server;
  if (chunked) {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': `multipart/x-mixed-replace;boundary=${boundary}`, 'Transfer-Encoding': 'chunked' });
      // One chunk per piece, as httpd_resp_send_chunk does.
      const stop = pace(frames, (jpeg) => part(jpeg).forEach((p) => res.write(p)));
      stops.add(stop);
      res.on('close', stop);
    });
  } else {
    server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=${boundary}\r\nConnection: close\r\n\r\n`);
        const stop = pace(frames, (jpeg) => socket.write(Buffer.concat(part(jpeg).map((p) => Buffer.from(p)))));
        stops.add(stop);
        socket.on('close', stop);
        socket.on('error', () => {});
      });
    });
  }
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/stream`,
    close() { stops.forEach((s) => s()); server.closeAllConnections?.(); server.close(); },
  };
}

for (const chunked of [true, false]) {
  for (const size of ['small', 'large']) {
    test(`http:// multipart pull (${chunked ? 'chunked' : 'not chunked'}, ${size} frames) hands each frame on as soon as it is complete`, async () => {
      const camera = await multipartCamera(size === 'small' ? small : large, { chunked });
      const server = await startWscam(['--source', camera.url]);
      try {
        check(`http ${chunked ? 'chunked' : 'plain'} ${size}`, await measure(`${server.wsUrl}/ws`));
      } finally {
        await server.stop();
        camera.close();
      }
    });
  }
}

test('http:// with an octet-stream body (JPEGs found by their markers) is not batched either', async () => {
  const server0 = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n');
      const stop = pace(small, (jpeg) => socket.write(jpeg));
      socket.on('close', stop);
      socket.on('error', () => {});
    });
  });
  await new Promise((r) => server0.listen(0, '127.0.0.1', r));
  const server = await startWscam(['--source', `http://127.0.0.1:${server0.address().port}/stream`]);
  try {
    check('http octet-stream', await measure(`${server.wsUrl}/ws`));
  } finally {
    await server.stop();
    server0.close();
  }
});

test('ws:// pull hands each frame on at once', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const stops = [];
  wss.on('connection', (ws) => stops.push(pace(small, (jpeg) => ws.send(jpeg, { binary: true }))));
  const server = await startWscam(['--source', `ws://127.0.0.1:${wss.address().port}/`]);
  try {
    check('ws pull', await measure(`${server.wsUrl}/ws`));
  } finally {
    stops.forEach((s) => s());
    await server.stop();
    for (const c of wss.clients) c.terminate();
    wss.close();
  }
});

test('push: a publisher\'s frames reach viewers at once', async () => {
  const server = await startWscam(['--source', 'push:', '--publish-token', 'pub']);
  const publisher = new WebSocket(`${server.wsUrl}/publish/default?token=pub`);
  await new Promise((r) => publisher.once('open', r));
  const stop = pace(large, (jpeg) => publisher.send(jpeg));
  try {
    check('push', await measure(`${server.wsUrl}/ws`));
  } finally {
    stop();
    publisher.close();
    await server.stop();
  }
});

test('pipe:- frames written to stdin reach viewers at once', async () => {
  const server = await startWscam(['--source', 'pipe:-'], { stdin: 'pipe' });
  const stop = pace(large, (jpeg) => server.proc.stdin.write(jpeg));
  try {
    check('pipe', await measure(`${server.wsUrl}/ws`));
  } finally {
    stop();
    server.proc.stdin.end();
    await server.stop();
  }
});

test('file: a clip plays at its rate, each frame sent as soon as it is read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-latency-'));
  writeFileSync(join(dir, 'clip.mjpeg'), Buffer.concat(large));
  const server = await startWscam(['--source', `file:${join(dir, 'clip.mjpeg')}?fps=${FPS}`]);
  // No stamp can come from a file: the wscam.v1 header's capture time says when it was read.
  const ws = new WebSocket(`${server.wsUrl}/ws`, ['wscam.v1']);
  try {
    const result = await new Promise((resolve, reject) => {
      const latencies = [];
      const arrivals = [];
      let seen = 0;
      ws.on('message', (data, binary) => {
        if (!binary) return;
        const now = nowUs();
        if (++seen <= WARMUP) return;
        const captureUs = Number(data.readBigInt64BE(16));
        latencies.push((now - captureUs) / 1000);
        arrivals.push(now);
        if (arrivals.length === MEASURED)
          resolve({ latencies, gaps: arrivals.slice(1).map((t, i) => (t - arrivals[i]) / 1000) });
      });
      ws.on('error', reject);
    });
    check('file', result);
  } finally {
    ws.close();
    await server.stop();
  }
});
