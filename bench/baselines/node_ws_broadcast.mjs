#!/usr/bin/env node
// Baseline for the fan-out benchmark: a broadcast server on the `ws` npm package, written the
// way its README recommends: one Buffer per frame sent to every client, skipping a client
// whose bufferedAmount is over 1 MB. It sends wscam.v1 frames (32-byte header + the same JPEG
// bytes wscam serves) so that wscam-bench measures both servers the same way.
//
//   node bench/baselines/node_ws_broadcast.mjs --clip frames.mjpeg --fps 30 [--port 0]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tests/node/package.json'));
const { WebSocketServer } = require('ws');

const { values } = parseArgs({ options: { clip: { type: 'string' }, fps: { type: 'string', default: '30' }, port: { type: 'string', default: '0' } } });
const clip = readFileSync(values.clip);
const frames = [];
for (let start = 0; ;) {
  const end = clip.indexOf(Buffer.from([0xff, 0xd9]), start);
  if (end < 0) break;
  frames.push(clip.subarray(start, end + 2));
  start = end + 2;
}
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(values.port), perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('wscam.v1') ? 'wscam.v1' : false) });
let seq = 0n;
const period = 1000 / Number(values.fps);
const start = performance.now();
function tick() {
  const jpeg = frames[Number(seq % BigInt(frames.length))];
  const header = Buffer.alloc(32);
  const nowUs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  header.writeUInt8(1, 0);
  header.writeUInt8(32, 1);
  header.writeUInt16BE(640, 2);
  header.writeUInt16BE(480, 4);
  header.writeBigUInt64BE(++seq, 8);
  header.writeBigInt64BE(nowUs, 16);
  header.writeBigInt64BE(nowUs, 24);
  const message = Buffer.concat([header, jpeg]);
  for (const client of wss.clients)
    if (client.readyState === 1 && client.bufferedAmount < 1024 * 1024) client.send(message, { binary: true });
  // Steady schedule from the start time, like wscam's pacer.
  setTimeout(tick, Math.max(0, start + Number(seq) * period - performance.now()));
}
wss.on('listening', () => { console.log(`listening ws://127.0.0.1:${wss.address().port}/`); tick(); });
