// The recordings API against clients that misbehave (issue 23, from the attack review): answers a
// client does not read keep their place until written, so memory stays bounded; a range with a
// malformed time is refused, not read as "no bound".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { sleep } from './lib/wait.mjs';

async function recording(source, wait) {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-hostile-rec-'));
  const server = await startWscam(['--stream', `cam=testsrc:?${source}`, '--record', 'continuous', '--record-codec', 'mjpeg',
    '--record-dir', dir, '--record-segment', '5', '--view-token', 'v', '--control-token', 'c']);
  await sleep(wait);
  return { dir, server };
}

/** Sends a GET from `local` and reads nothing (the answer stays with the server); resolves once connected. */
function unreadGet(server, path, local) {
  return new Promise((resolve) => {
    const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress: local });
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer v\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
  });
}

/** The status of a GET from `local`. */
function statusFrom(server, path, local) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress: local });
    let head = '';
    socket.on('data', (d) => {
      head += d.toString('latin1');
      const m = head.match(/^HTTP\/1\.1 (\d+)/);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer v\r\nConnection: close\r\n\r\n`));
  });
}

test('unread /frames answers keep their place until written: an address holds 2, the server 16, and memory stays bounded', async () => {
  // Large noisy pictures: 300 of them are the 8 MiB an answer may hold, far more than the sockets take.
  const { dir, server } = await recording('size=640x480&fps=30&quality=95&noise=30', 11000);
  const held = [];
  try {
    const path = '/recordings/cam/frames?from=0&count=300';
    held.push(await unreadGet(server, path, '127.0.0.2'), await unreadGet(server, path, '127.0.0.2'));
    await sleep(2000);  // both answers are made and stuck in their sockets
    assert.equal(await statusFrom(server, path, '127.0.0.2'), 503, 'a third answer for the address that reads none');
    assert.equal(await statusFrom(server, '/api/recordings/cam', '127.0.0.3'), 200, 'another address is served');
    // Across addresses: 16 in all (8 addresses of 2), then none, however many addresses ask.
    // (One address at a time: the pool's queue, 8 deep, would refuse some at once and free their places.)
    for (let a = 4; a <= 10; a++) {
      held.push(await unreadGet(server, path, `127.0.0.${a}`), await unreadGet(server, path, `127.0.0.${a}`));
      await sleep(600);
    }
    await sleep(3000);
    assert.equal(await statusFrom(server, '/api/recordings/cam', '127.0.0.20'), 503, 'a 17th slow answer');
    const rss = Number((await import('node:fs')).readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
    // (ASan's shadow memory and redzones add to it: the sanitised run gets more room.)
    const bound = process.env.ASAN_OPTIONS ? 900 : 400;
    assert.ok(rss < bound, `RSS ${rss} MiB with 16 unread answers of up to 8 MiB`);
    // Hung up: the places are free again.
    for (const s of held.splice(0)) s.destroy();
    await sleep(500);
    assert.equal(await statusFrom(server, '/api/recordings/cam', '127.0.0.2'), 200);
    assert.equal(await statusFrom(server, '/api/recordings/cam', '127.0.0.20'), 200);
  } finally {
    for (const s of held) s.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a time with a malformed escape is refused with 400: a DELETE never reads it as "no bound"', async () => {
  const { dir, server } = await recording('size=320x240&fps=10', 6500);
  try {
    const before = readdirSync(join(dir, 'cam')).length;
    const list = await (await fetch(`${server.url}/api/recordings/cam?token=v`)).json();
    const to = list.segments[0].end;  // a finished segment: a DELETE to there would take it
    for (const query of [`to=${to}%`, `from=%zz&to=${to}`, 'from=%', `from=0&to=${to}%2`]) {
      const res = await fetch(`${server.url}/api/recordings/cam?${query}`, { method: 'DELETE', headers: { authorization: 'Bearer c' } });
      assert.equal(res.status, 400, query);
      assert.match(await res.text(), /give Unix seconds .* or ISO 8601 UTC/, query);
      assert.equal((await fetch(`${server.url}/api/recordings/cam?${query}&token=v`)).status, 400, `GET ${query}`);
    }
    assert.equal(readdirSync(join(dir, 'cam')).length, before, 'nothing was deleted');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
