#!/usr/bin/env node
// Many cameras from one process, for bench/cameras.sh: each behaves on the wire like an
// ESP32 CameraWebServer's stream (multipart/x-mixed-replace with its boundary, Content-Type,
// Content-Length and X-Timestamp per part, one frame every 1/fps s to whoever is connected)
// or like a board that pushes to wscam (one JPEG per binary WebSocket message to
// /publish/NAME). Every frame carries its send time in a JPEG COM segment (the stamp of
// tests/node/lib/stamps.mjs), so wscam-bench --stamp measures end to end through wscam.
//
//   node bench/camera_farm.mjs --clip qvga.mjpeg --cameras 100 --fps 10 --port 0          # pull: GET /cam/K
//   node bench/camera_farm.mjs --clip qvga.mjpeg --cameras 100 --fps 10 --push ws://127.0.0.1:8080/publish/cam
// Prints "listening http://127.0.0.1:PORT/cam/" (pull) or "publishing N" (push) when ready.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { stamp } from '../tests/node/lib/stamps.mjs';

const require = createRequire(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../tests/node/package.json'));
const WebSocket = require('ws');

const { values } = parseArgs({
  options: {
    clip: { type: 'string' }, cameras: { type: 'string', default: '10' }, fps: { type: 'string', default: '10' },
    port: { type: 'string', default: '0' }, push: { type: 'string' },
  },
});
const cameras = Number(values.cameras);
const interval = 1000 / Number(values.fps);

// The clip's JPEGs (concatenated, as ffmpeg -f mjpeg writes them).
const clip = readFileSync(values.clip);
const frames = [];
for (let start = clip.indexOf(Buffer.from([0xff, 0xd8])); start >= 0;) {
  const end = clip.indexOf(Buffer.from([0xff, 0xd9]), start + 2);
  if (end < 0) break;
  frames.push(clip.subarray(start, end + 2));
  start = clip.indexOf(Buffer.from([0xff, 0xd8]), end + 2);
}
if (!frames.length) throw new Error(`no JPEG in ${values.clip}`);

/** Calls send(k, jpeg) for camera k every interval, each camera at its own phase. */
function tick(k, send) {
  let n = k;
  const next = () => { send(stamp(frames[n++ % frames.length])); };
  setTimeout(() => { next(); setInterval(next, interval); }, (k * interval) / cameras);
}

if (!values.push) {
  // Pull: GET /cam/K streams camera K to each client, like CameraWebServer's :81/stream.
  const boundary = '123456789000000000000987654321';
  const clients = Array.from({ length: cameras }, () => new Set());
  for (let k = 0; k < cameras; k++) {
    tick(k, (jpeg) => {
      if (!clients[k].size) return;
      const now = Date.now();
      // CameraWebServer's order: "\r\n--BOUNDARY\r\n", the part's headers, the JPEG.
      const head = Buffer.from(`\r\n--${boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n` +
        `X-Timestamp: ${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}\r\n\r\n`);
      const part = Buffer.concat([head, jpeg]);
      for (const res of clients[k]) if (res.writableLength < 256 * 1024) res.write(part);
    });
  }
  const server = createServer((req, res) => {
    const m = req.url.match(/^\/cam\/(\d+)$/);
    const k = m ? Number(m[1]) : -1;
    if (k < 0 || k >= cameras) { res.writeHead(404).end('no such camera\n'); return; }
    res.socket.setNoDelay(true);
    res.writeHead(200, { 'Content-Type': `multipart/x-mixed-replace;boundary=${boundary}`, 'Access-Control-Allow-Origin': '*' });
    clients[k].add(res);
    res.on('close', () => clients[k].delete(res));
  });
  server.listen(Number(values.port), '127.0.0.1', () => {
    console.log(`listening http://127.0.0.1:${server.address().port}/cam/`);
  });
} else {
  // Push: camera K publishes to PREFIX + K (e.g. ws://127.0.0.1:8080/publish/cam7), reconnecting if dropped.
  let open = 0;
  for (let k = 0; k < cameras; k++) {
    let ws = null;
    const connect = () => {
      ws = new WebSocket(`${values.push}${k}`);
      ws.on('open', () => { ws._socket.setNoDelay(true); if (++open === cameras) console.log(`publishing ${cameras}`); });
      ws.on('close', () => { open--; setTimeout(connect, 500); });
      ws.on('error', () => {});
    };
    connect();
    tick(k, (jpeg) => { if (ws?.readyState === WebSocket.OPEN && ws.bufferedAmount < 256 * 1024) ws.send(jpeg); });
  }
}
