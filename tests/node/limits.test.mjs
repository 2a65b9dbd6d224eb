// Limits on what one client address may hold or try: --max-connections-per-ip (refused at
// accept with 429), --header-timeout (a slow or silent client is cut off), and the brake on
// token guessing (429 for a minute after 10 wrong tokens). Real binary, real loopback sockets;
// 127.0.0.2 stands in for "another client" (Linux routes all of 127/8 over lo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { readdirSync } from 'node:fs';
import WebSocket from 'ws';
import { startWscam, jpegSize } from './lib/wscam.mjs';
import { sleep, until } from './lib/wait.mjs';

/** Opens a WebSocket and keeps it; `result` resolves 'open' or the HTTP status it was refused with. */
function hold(url, options = {}) {
  const c = { ws: new WebSocket(url, options), frames: [] };
  c.ws.on('message', (data, binary) => { if (binary) c.frames.push(data); });
  c.ws.on('error', () => {});
  c.result = new Promise((resolve) => {
    c.ws.on('open', () => resolve({ status: 101 }));
    c.ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      res.on('error', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    c.ws.on('close', () => resolve({ status: 'closed' }));
  });
  return c;
}

/** One HTTP GET with node:http (so the client address can be chosen); resolves status, headers, body. */
function get(url, { headers = {}, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const count = (text, re) => (text.match(re) || []).length;

/** A raw socket; resolves how long after connecting the server closed it, and what it sent. */
function rawClient(port, { localAddress } = {}) {
  const c = { socket: net.connect({ port, host: '127.0.0.1', localAddress }), data: '' };
  c.socket.on('data', (d) => { c.data += d; });
  c.socket.on('error', () => {});
  c.connected = new Promise((r) => c.socket.once('connect', () => { c.at = Date.now(); r(); }));
  c.closed = new Promise((r) => c.socket.once('close', () => r((Date.now() - c.at) / 1000)));
  return c;
}

test('--max-connections-per-ip: the 51st connection from one address gets 429 at once, other addresses still get in', async () => {
  const server = await startWscam(['--max-connections-per-ip', '50', '--stream', 'cam=testsrc:?size=160x120']);
  const crowd = [];
  const others = [];
  try {
    for (let i = 0; i < 200; i++) crowd.push(hold(`${server.wsUrl}/ws/cam`));
    const results = await Promise.all(crowd.map((c) => c.result));
    const opened = results.filter((r) => r.status === 101).length;
    const refused = results.filter((r) => r.status === 429);
    assert.equal(opened, 50, `statuses: ${JSON.stringify(results.map((r) => r.status))}`);
    assert.equal(refused.length, 150);
    for (const r of refused) {
      assert.equal(r.headers['retry-after'], '10');
      assert.equal(r.headers.connection, 'close');
      assert.match(r.body, /too many connections from your address \(see --max-connections-per-ip\)/);
    }

    // Refused at accept, before anything is read: a socket that sends nothing gets the answer at once.
    const silent = rawClient(server.port);
    const silentFor = await silent.closed;
    assert.ok(silentFor < 1, `closed after ${silentFor} s`);
    assert.match(silent.data, /^HTTP\/1\.1 429 Too Many Requests\r\n/);

    // While the 50 are held, another address is served, frames and all.
    const other = hold(`${server.wsUrl}/ws/cam`, { localAddress: '127.0.0.2' });
    others.push(other);
    assert.equal((await other.result).status, 101, 'a viewer from 127.0.0.2 is let in');
    await until(() => other.frames.length >= 3, 'frames for the viewer from 127.0.0.2');
    assert.deepEqual(jpegSize(other.frames[0]), { width: 160, height: 120 });
    const healthz = await get(`${server.url}/healthz`, { localAddress: '127.0.0.3' });
    assert.equal(healthz.status, 200, 'plain HTTP from a third address works too');

    const lines = count(server.logs(), /connection refused peer=.*: too many connections from 127\.0\.0\.1 \(--max-connections-per-ip 50\)/g);
    assert.ok(lines >= 1 && lines <= 10, `${lines} log lines for 150 refusals (rate-limited)`);

    // Once the 50 leave, 127.0.0.1 may connect again.
    for (const c of crowd) c.ws.close();
    await until(async () => {
      const again = hold(`${server.wsUrl}/ws/cam`);
      others.push(again);
      const { status } = await again.result;
      again.ws.close();
      return status === 101;
    }, '127.0.0.1 to be let in again after its 50 connections closed', 10000);
  } finally {
    for (const c of [...crowd, ...others]) c.ws.terminate();
    assert.equal(await server.stop(), 0);
  }
});

test('--header-timeout: a client trickling its headers, or sending nothing, is cut off; one that finishes in time is answered', async () => {
  const server = await startWscam(['--header-timeout', '2', '--source', 'testsrc:?size=160x120']);
  const trickler = rawClient(server.port);
  const silent = rawClient(server.port);
  const slowButInTime = rawClient(server.port);
  const keptAlive = rawClient(server.port);
  let timer;
  try {
    await Promise.all([trickler.connected, silent.connected, slowButInTime.connected, keptAlive.connected]);
    // The limit also runs between keep-alive requests: answered, then idle, then cut off.
    keptAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    trickler.socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    let n = 0;
    const header = 'X-Slow: ' + 'a'.repeat(1000);
    timer = setInterval(() => { if (!trickler.socket.destroyed) trickler.socket.write(header[n++ % header.length]); }, 300);

    // A whole request in pieces over ~0.8 s: under the limit, so it is served as before.
    const pieces = ['GET /healthz HTTP/1.1\r\n', 'Host: 127.0.0.1\r\n', 'Connection: close\r\n', 'X-A: 1\r\n', '\r\n'];
    for (const p of pieces) { slowButInTime.socket.write(p); await sleep(200); }

    // Meanwhile a normal client is served.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

    const [trickled, silence] = await Promise.all([trickler.closed, silent.closed]);
    assert.ok(trickled >= 1.8 && trickled <= 4, `the trickler was cut off after ${trickled} s`);
    assert.ok(silence >= 1.8 && silence <= 4, `the silent client was cut off after ${silence} s`);
    const idle = await keptAlive.closed;
    assert.match(keptAlive.data, /^HTTP\/1\.1 200 /);
    assert.ok(idle >= 1.8 && idle <= 4, `the idle keep-alive connection was cut off after ${idle} s`);
    await slowButInTime.closed;
    assert.match(slowButInTime.data, /^HTTP\/1\.1 200 /, `answer to the slow but complete request: ${slowButInTime.data}`);

    // The server logs once its timer's handler has run, which may be just after the client saw the close.
    await until(() => count(server.logs(), /http connection closed peer=.*: no complete request within 2 s/g) >= 2 &&
      /http connection closed peer=.*: nothing sent within 2 s/.test(server.logs()), 'the log lines', 2000);
    assert.equal(count(server.logs(), /no complete request within 2 s/g), 2, 'the trickler and the idle keep-alive');
    assert.equal(count(server.logs(), /nothing sent within 2 s/g), 1, server.logs());
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still serving');
  } finally {
    clearInterval(timer);
    for (const c of [trickler, silent, slowButInTime, keptAlive]) c.socket.destroy();
    assert.equal(await server.stop(), 0);
  }
});

test('refused connections do not pile up: at most 64 wait for their client to close, the rest are closed at once', async () => {
  // Each refused connection used to be held (drained) for up to 1 s, uncounted: a client that keeps
  // its sockets open after the 429 made the server hold a descriptor for every refusal of the last second.
  const server = await startWscam(['--max-connections-per-ip', '1', '--source', 'testsrc:?size=160x120']);
  const descriptors = () => readdirSync(`/proc/${server.proc.pid}/fd`).length;
  const held = rawClient(server.port);
  const crowd = [];
  try {
    await held.connected;
    await sleep(200);
    const before = descriptors();
    for (let i = 0; i < 300; i++) {
      // allowHalfOpen: the client does not close when the server does, as a hostile one would not.
      const c = { socket: net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true }), data: '' };
      c.socket.on('data', (d) => { c.data += d; });
      c.socket.on('error', () => {});
      c.ended = new Promise((r) => { c.socket.once('end', r); c.socket.once('close', r); });
      crowd.push(c);
    }
    await Promise.all(crowd.map((c) => c.ended));
    const extra = descriptors() - before;
    assert.ok(extra <= 70, `${extra} descriptors held for 300 refused connections (at most 64 may drain)`);
    for (const c of crowd) assert.match(c.data, /^HTTP\/1\.1 429 Too Many Requests\r\n/, 'every one got the answer');
  } finally {
    for (const c of [held, ...crowd]) c.socket.destroy();
    assert.equal(await server.stop(), 0);
  }
});

test('--max-connections: past the global limit any address is refused at once with 503', async () => {
  const server = await startWscam(['--max-connections', '3', '--source', 'testsrc:?size=160x120']);
  const held = ['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((localAddress) => rawClient(server.port, { localAddress }));
  const extra = [];
  try {
    await Promise.all(held.map((c) => c.connected));
    await sleep(100);  // accepted, not yet timed out
    const refused = rawClient(server.port, { localAddress: '127.0.0.5' });
    extra.push(refused);
    assert.ok(await refused.closed < 1);
    assert.match(refused.data, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(refused.data, /server busy: connection limit reached \(see --max-connections\)/);
    assert.match(server.logs(), /connection refused peer=127\.0\.0\.5:\d+: server connection limit reached \(--max-connections\)/);
    for (const c of held) c.socket.destroy();
    await until(async () => (await get(`${server.url}/healthz`).catch(() => ({}))).status === 200, 'a free slot again', 5000);
  } finally {
    for (const c of [...held, ...extra]) c.socket.destroy();
    assert.equal(await server.stop(), 0);
  }
});

test('token guessing: after 10 wrong tokens an address gets 429 for any token, even the right one; others and token-less requests do not', async () => {
  const right = 'right-token-123';
  const server = await startWscam(['--view-token', right, '--stream', 'cam=testsrc:?size=160x120']);
  const ws = [];
  try {
    for (let i = 1; i <= 10; i++) {
      const res = await fetch(`${server.url}/api/streams?token=guess-${i}-zq`);
      assert.equal(res.status, 401, `wrong token #${i}`);
      await res.arrayBuffer();
    }
    const blocked = await fetch(`${server.url}/api/streams?token=${right}`);
    assert.equal(blocked.status, 429, 'the right token from the guessing address');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${blocked.headers.get('retry-after')}`);
    assert.match(await blocked.text(), /too many wrong tokens from your address; try again in \d+ s/);

    // Every way of presenting a token is braked, on every route that checks one.
    for (const [path, headers] of [['/api/streams', { Authorization: `Bearer ${right}` }],
      ['/api/streams', { Cookie: `wscam_token=${right}` }], [`/snapshot/cam.jpg?token=${right}`, {}],
      [`/metrics?token=${right}`, {}]]) {
      const res = await fetch(server.url + path, { headers });
      assert.equal(res.status, 429, `${path} ${JSON.stringify(headers)}`);
      await res.arrayBuffer();
    }
    const upgrade = hold(`${server.wsUrl}/ws/cam?token=${right}`);
    ws.push(upgrade);
    const refused = await upgrade.result;
    assert.equal(refused.status, 429, 'a WebSocket upgrade with a token from the blocked address');
    assert.ok(Number(refused.headers['retry-after']) > 0);

    // Without a token: 401 as before, not 429.
    const anonymous = await fetch(`${server.url}/api/streams`);
    assert.equal(anonymous.status, 401);
    await anonymous.arrayBuffer();

    // Another address with the right token is served, over HTTP and WebSocket.
    const other = await get(`${server.url}/api/streams?token=${right}`, { localAddress: '127.0.0.2' });
    assert.equal(other.status, 200, other.body);
    assert.ok(Array.isArray(JSON.parse(other.body).streams));
    const viewer = hold(`${server.wsUrl}/ws/cam?token=${right}`, { localAddress: '127.0.0.2' });
    ws.push(viewer);
    assert.equal((await viewer.result).status, 101);
    await until(() => viewer.frames.length >= 1, 'a frame for the viewer from 127.0.0.2');

    const logs = server.logs();
    assert.equal(count(logs, /token guessing from 127\.0\.0\.1 \(peer=[^)]*\): 10 wrong tokens within 60 s/g), 1, logs);
    assert.doesNotMatch(logs, /guess-\d+-zq/, 'wrong tokens are not logged');
    assert.ok(!logs.includes(right), 'the right token is not logged');
  } finally {
    for (const c of ws) c.ws.terminate();
    assert.equal(await server.stop(), 0);
  }
});
