// TLS on the same port (issue 10): real openssl makes the certificates, real curl, the `ws`
// client and node's tls are the peers. One port serves https:// and wss:// and still plain
// http:// and ws://; SIGHUP swaps the certificate without dropping anyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { startWscam, jpegSize } from './lib/wscam.mjs';
import { makeCa, makeServerCert } from './lib/certs.mjs';
import { makeFrames } from './lib/cameras.mjs';
import { sleep, until } from './lib/wait.mjs';

const curl = (...args) => execFileSync('curl', ['-sS', '--max-time', '10', ...args]);

/** The SHA-256 fingerprint of the certificate the server presents to a new connection. */
function presented(port, ca) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      const protocol = s.getProtocol();
      s.end();
      resolve({ fingerprint: fp, protocol });
    });
    s.on('error', reject);
  });
}

function viewer(url, options = {}) {
  const v = { frames: [], times: [], closed: null, ws: new WebSocket(url, options) };
  v.ws.on('message', (data, binary) => { if (binary) { v.frames.push(data); v.times.push(Date.now()); } });
  v.ws.on('close', (code) => { v.closed = code; });
  v.ws.on('error', (e) => { v.error = e; });
  v.opened = new Promise((resolve, reject) => { v.ws.once('open', resolve); v.ws.once('error', reject); });
  return v;
}

test('one port: curl gets the page and a snapshot over https, ws gets JPEGs over wss, plain http and ws still work', async () => {
  const ca = makeCa();
  const cert = makeServerCert(ca);
  const server = await startWscam(['--source', 'testsrc:?size=320x240&fps=30', '--always-on',
    '--tls-cert', cert.cert, '--tls-key', cert.key]);
  try {
    assert.match(server.url, /^https:/, 'the URL printed is https://');
    assert.match(server.logs(), /tls certificate: CN=127\.0\.0\.1 \(1 intermediate\(s\)\), valid until/);
    const page = curl('--cacert', ca.caFile, `${server.url}/`).toString();
    assert.match(page, /<title>/);
    await until(() => spawnSync('curl', ['-sf', '--cacert', ca.caFile, '-o', '/dev/null', `${server.url}/snapshot/default.jpg`]).status === 0,
      'a snapshot over https');
    const jpeg = curl('--cacert', ca.caFile, `${server.url}/snapshot/default.jpg`);
    assert.deepEqual(jpegSize(jpeg), { width: 320, height: 240 });
    // Without the CA, curl refuses: the certificate is really checked, not waved through.
    const untrusted = spawnSync('curl', ['-sS', '--max-time', '5', `${server.url}/healthz`]);
    assert.notEqual(untrusted.status, 0);
    assert.match(untrusted.stderr.toString(), /certificate/);
    assert.equal((await presented(server.port, ca.ca)).protocol.startsWith('TLSv1.'), true);

    const secure = viewer(`${server.wsUrl}/ws`, { ca: ca.ca });
    await secure.opened;
    await until(() => secure.frames.length >= 10, '10 frames over wss');
    assert.deepEqual(jpegSize(secure.frames[9]), { width: 320, height: 240 });
    assert.match(server.logs(), /viewer open stream=default peer=\S+ path=\/ws protocol=plain tls/);

    // The same port, plain.
    assert.equal(curl(`${server.plainUrl}/healthz`).toString(), 'ok\n');
    const plain = viewer(`${server.plainWsUrl}/ws`);
    await plain.opened;
    await until(() => plain.frames.length >= 10, '10 frames over plain ws');
    secure.ws.close();
    plain.ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a camera publishes over wss:// and viewers get its frames', async () => {
  const ca = makeCa();
  const cert = makeServerCert(ca);
  const server = await startWscam(['--stream', 'cam=push:', '--publish-token', 'pub-secret',
    '--tls-cert', cert.cert, '--tls-key', cert.key]);
  try {
    const watcher = viewer(`${server.wsUrl}/ws/cam`, { ca: ca.ca });
    await watcher.opened;
    const camera = new WebSocket(`${server.wsUrl}/publish/cam?token=pub-secret`, { ca: ca.ca });
    await new Promise((resolve, reject) => { camera.once('open', resolve); camera.once('error', reject); });
    const frames = makeFrames(5, '160x120');
    for (let i = 0; i < 20; i++) {
      camera.send(frames[i % frames.length]);
      await sleep(30);
    }
    await until(() => watcher.frames.length >= 10, 'frames published over wss reach the viewer');
    assert.deepEqual(jpegSize(watcher.frames[0]), { width: 160, height: 120 });
    assert.match(server.logs(), /publisher open stream=cam/);
    camera.close();
    watcher.ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('--require-tls: plain pages are redirected to https://, plain WebSocket upgrades refused', async () => {
  const ca = makeCa();
  const cert = makeServerCert(ca);
  const server = await startWscam(['--source', 'testsrc:?size=160x120', '--require-tls',
    '--tls-cert', cert.cert, '--tls-key', cert.key]);
  try {
    const head = curl('-i', `${server.plainUrl}/view/default?x=1`).toString();
    assert.match(head, /^HTTP\/1\.1 308 /);
    assert.match(head, new RegExp(`\\r\\nLocation: https://127\\.0\\.0\\.1:${server.port}/view/default\\?x=1\\r\\n`));
    // curl follows it to the same port over TLS.
    assert.match(curl('-L', '--cacert', ca.caFile, `${server.plainUrl}/`).toString(), /<title>/);
    const refused = await new Promise((resolve) => {
      const ws = new WebSocket(`${server.plainWsUrl}/ws`);
      ws.on('unexpected-response', (req, res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      ws.on('open', () => resolve({ status: 101 }));
      ws.on('error', () => {});
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /TLS only: use https:\/\/ or wss:\/\//);
    const secure = viewer(`${server.wsUrl}/ws`, { ca: ca.ca });
    await secure.opened;
    await until(() => secure.frames.length >= 3, 'frames over wss');
    secure.ws.close();
    assert.equal(curl(`${server.plainUrl}/healthz`).toString(), 'ok\n', 'health checks stay plain');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

/** Sends `text` on a fresh plain connection; resolves everything the server answered. */
function rawExchange(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

test('--require-tls: the redirect goes to this host and a path, whatever the target or Host says', async () => {
  // The Location was Host + the raw target: "GET @evil.example/" went to https://127.0.0.1:PORT@evil.example/.
  const ca = makeCa();
  const cert = makeServerCert(ca);
  const server = await startWscam(['--source', 'testsrc:?size=160x120', '--require-tls',
    '--tls-cert', cert.cert, '--tls-key', cert.key]);
  const host = `127.0.0.1:${server.port}`;
  try {
    const cases = [
      ['@evil.example/', host], ['//evil.example/x', host], ['/\\evil.example/', host], ['\\\\evil.example/', host],
      ['http://evil.example/x', host], ['/%2f%2fevil.example', host], ['/view/default?a=//b@c', host],
      ['/', 'evil.example@127.0.0.1'], ['/', '127.0.0.1/evil'], ['/', '127.0.0.1:99999'], ['/', ''],
    ];
    for (const [target, hostHeader] of cases) {
      const answer = await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`);
      const status = Number(answer.split(' ')[1]);
      const location = answer.match(/\r\nLocation: ([^\r]*)\r\n/i)?.[1];
      if (status === 308) {
        const url = new URL(location);
        assert.equal(url.host, host, `GET ${target} Host: ${hostHeader} -> ${location}`);
        assert.equal(url.protocol, 'https:');
        assert.ok(location.startsWith(`https://${host}/`) && !location.startsWith(`https://${host}//`),
          `one slash after the host: ${location}`);
      } else {
        assert.equal(status, 400, `GET ${target} Host: ${hostHeader}: ${answer.split('\r\n')[0]}`);
        assert.match(answer, /TLS only/, 'the refusal says where to go');
      }
    }
    const kept = await rawExchange(server.port, `GET /view/default?a=%20b HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.match(kept, new RegExp(`\\r\\nLocation: https://127\\.0\\.0\\.1:${server.port}/view/default\\?a=%20b\\r\\n`));
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test("the certificate's names are this server's names: requests addressed to them get camera data (DNS rebinding guard)", async () => {
  const ca = makeCa();
  const cert = makeServerCert(ca, 'named', 'cam.test.example', ['cam.test.example', '*.cams.test.example']);
  const server = await startWscam(['--source', 'testsrc:?size=160x120', '--tls-cert', cert.cert, '--tls-key', cert.key]);
  try {
    const status = (host) => Number(curl('-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', ca.caFile,
      '--resolve', `${host}:${server.port}:127.0.0.1`, `https://${host}:${server.port}/api/streams`).toString());
    assert.equal(status('cam.test.example'), 200);
    assert.equal(status('porch.cams.test.example'), 200, 'a wildcard name covers the names below it');
    const other = curl('-s', '-k', '-H', 'Host: other.test.example', `${server.url}/api/streams`).toString();
    assert.match(other, /Host other\.test\.example is not a name of this server/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('SIGHUP: new connections get the new certificate, open ones stay up; a broken one is refused and the old kept', async () => {
  const ca = makeCa();
  const first = makeServerCert(ca, 'first');
  const second = makeServerCert(ca, 'second');
  const live = { cert: join(ca.dir, 'live.pem'), key: join(ca.dir, 'live.key') };
  copyFileSync(first.cert, live.cert);
  copyFileSync(first.key, live.key);
  const server = await startWscam(['--source', 'testsrc:?size=160x120&fps=30', '--tls-cert', live.cert, '--tls-key', live.key]);
  try {
    assert.equal((await presented(server.port, ca.ca)).fingerprint, first.fingerprint);
    const watcher = viewer(`${server.wsUrl}/ws`, { ca: ca.ca });
    await watcher.opened;
    await until(() => watcher.frames.length >= 5, 'frames before the reload');

    copyFileSync(second.cert, live.cert);
    copyFileSync(second.key, live.key);
    server.proc.kill('SIGHUP');
    await until(() => /tls certificate reloaded/.test(server.logs()), 'the reload');
    assert.equal((await presented(server.port, ca.ca)).fingerprint, second.fingerprint, 'new connections: new certificate');
    const before = watcher.frames.length;
    await until(() => watcher.frames.length >= before + 15, 'the open viewer keeps its frames');
    assert.equal(watcher.closed, null);
    const gaps = watcher.times.slice(1).map((t, i) => t - watcher.times[i]);
    assert.ok(Math.max(...gaps) < 1000, `no stall across the reload (largest gap ${Math.max(...gaps)} ms)`);

    // A renewal gone wrong: garbage certificate, then a key that belongs to another certificate.
    writeFileSync(live.cert, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
    server.proc.kill('SIGHUP');
    await until(() => /tls reload refused, keeping the certificate in use: TLS certificate .*live\.pem: /.test(server.logs()),
      'the refusal');
    copyFileSync(first.cert, live.cert);  // key is still second's
    server.proc.kill('SIGHUP');
    await until(() => /tls reload refused.*does not belong to the certificate/.test(server.logs()), 'the mismatch');
    assert.equal((await presented(server.port, ca.ca)).fingerprint, second.fingerprint, 'the old one is kept');
    assert.equal(watcher.closed, null);
    watcher.ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('an unusable certificate at start is a clear error and exit code 2', async () => {
  const ca = makeCa();
  const good = makeServerCert(ca);
  const garbage = join(ca.dir, 'garbage.pem');
  writeFileSync(garbage, 'hello, I am not a certificate\n');
  const other = makeServerCert(ca, 'other');
  const run = (args) => spawnSync(process.env.WSCAM_BIN || new URL('../../build/wscam', import.meta.url).pathname,
    ['--listen', '127.0.0.1', '--port', '0', ...args], { timeout: 10000 });
  let r = run(['--tls-cert', garbage, '--tls-key', good.key]);
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /TLS certificate .*garbage\.pem: .*expected PEM/);
  r = run(['--tls-cert', good.cert, '--tls-key', other.key]);
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /does not belong to the certificate/);
  r = run(['--tls-cert', good.cert]);
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /--tls-cert and --tls-key go together/);
  r = run(['--require-tls']);
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /--require-tls needs --tls-cert/);
});

test('a wss:// camera with a self-signed certificate: refused as untrusted, accepted with #insecure', async () => {
  const ca = makeCa('untrusted board CA');
  const cert = makeServerCert(ca);
  const board = await startWscam(['--source', 'testsrc:?size=160x120&fps=20', '--tls-cert', cert.cert, '--tls-key', cert.key]);
  const strict = await startWscam(['--stream', `cam=wss://127.0.0.1:${board.port}/ws`, '--reconnect-max', '1']);
  const lax = await startWscam(['--stream', `cam=wss://127.0.0.1:${board.port}/ws#insecure`]);
  try {
    const a = viewer(`${strict.wsUrl}/ws/cam`);
    const b = viewer(`${lax.wsUrl}/ws/cam`);
    await Promise.all([a.opened, b.opened]);
    await until(() => b.frames.length >= 5, 'frames through #insecure');
    await until(() => /certificate verify failed/.test(strict.logs()), 'the verification failure in the log');
    assert.equal(a.frames.length, 0, 'no frame from a camera whose certificate is not trusted');
    assert.match(lax.logs(), /stream=cam #insecure: the camera's TLS certificate is not verified/);
    a.ws.close();
    b.ws.close();
  } finally {
    assert.equal(await lax.stop(), 0);
    assert.equal(await strict.stop(), 0);
    assert.equal(await board.stop(), 0);
  }
});

test('a TLS client on a plain port is told in the log what to start wscam with', async () => {
  const server = await startWscam(['--source', 'testsrc:?size=160x120']);
  try {
    const outcome = await new Promise((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false });
      s.on('secureConnect', () => resolve('connected'));
      s.on('error', (e) => resolve(e.code));
      s.on('close', () => resolve('closed'));
    });
    assert.notEqual(outcome, 'connected');
    await until(() => /tls refused peer=\S+: this port speaks plain http:\/\/ only \(start wscam with --tls-cert and --tls-key\)/
      .test(server.logs()), 'the log line');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
