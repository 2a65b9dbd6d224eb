// Interop with an independent, strict WebSocket implementation: the `ws` npm client.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam, jpegSize, collect } from './lib/wscam.mjs';

let server;
before(async () => { server = await startWscam(['--ws-port', '0']); });
after(async () => { await server.stop(); });

test('a plain ws client gets 30 consecutive binary messages, each one whole JPEG', async () => {
  const ws = new WebSocket(`${server.wsUrl}/ws`);
  const { binary, text } = await collect(ws, 30);
  ws.close();
  assert.equal(ws.protocol, '');
  assert.deepEqual(text, [], 'a client that asks for nothing gets no text messages');
  for (const frame of binary) assert.deepEqual(jpegSize(frame), { width: 640, height: 480 });
});

test('the tutorial page works unchanged: ws://host:<ws-port>/ gives JPEGs', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${server.wsPort}/`);
  const { binary } = await collect(ws, 5);
  ws.close();
  for (const frame of binary) assert.ok(jpegSize(frame));
});

test('a wscam.v1 client gets hello, then frames with a header and increasing sequence numbers', async () => {
  const ws = new WebSocket(`${server.wsUrl}/ws/default`, ['wscam.v1']);
  const { binary, text } = await collect(ws, 30);
  ws.close();
  assert.equal(ws.protocol, 'wscam.v1');
  const hello = JSON.parse(text[0]);
  assert.equal(hello.type, 'hello');
  assert.equal(hello.stream, 'default');
  assert.equal(hello.width, 640);
  assert.equal(hello.online, true);
  let last = 0n;
  for (const m of binary) {
    assert.equal(m[0], 1, 'type 1 = JPEG frame');
    const headerSize = m[1];
    assert.equal(m.readUInt16BE(2), 640);
    assert.equal(m.readUInt16BE(4), 480);
    const seq = m.readBigUInt64BE(8);
    assert.ok(seq > last, `sequence ${seq} after ${last}`);
    last = seq;
    const captureUs = Number(m.readBigInt64BE(16));
    assert.ok(Math.abs(captureUs / 1000 - Date.now()) < 10000, 'capture time is the server clock, µs since epoch');
    assert.deepEqual(jpegSize(m.subarray(headerSize)), { width: 640, height: 480 });
  }
});

test('ping is answered with pong carrying the server clock; nonsense gets an error', async () => {
  const ws = new WebSocket(`${server.wsUrl}/ws`, ['wscam.v1']);
  await new Promise((r) => ws.once('open', r));
  const texts = [];
  const got = new Promise((resolve) => ws.on('message', (d, bin) => {
    if (!bin) texts.push(JSON.parse(d.toString()));
    if (texts.filter((t) => t.type !== 'hello').length >= 2) resolve();
  }));
  ws.send(JSON.stringify({ type: 'ping', id: 9, t: 1.5 }));
  ws.send('{"type":"fly"}');
  await got;
  ws.close();
  const pong = texts.find((t) => t.type === 'pong');
  assert.equal(pong.id, 9);
  assert.equal(pong.t, 1.5);
  assert.ok(Math.abs(pong.server_time_us / 1000 - Date.now()) < 10000);
  assert.deepEqual(texts.find((t) => t.type === 'error'), { type: 'error', reason: 'unknown message type "fly"' });
});

test('an unknown stream is refused with 404 at the handshake', async () => {
  const ws = new WebSocket(`${server.wsUrl}/ws/nope`);
  const status = await new Promise((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode)));
  assert.equal(status, 404);
});
