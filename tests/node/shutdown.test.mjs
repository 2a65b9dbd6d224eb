// SIGTERM / SIGINT: every WebSocket is closed with 1001 (going away) and the process exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam, collect } from './lib/wscam.mjs';

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} closes every viewer with 1001 and exits 0`, async () => {
    const server = await startWscam();
    const clients = [new WebSocket(`${server.wsUrl}/ws`), new WebSocket(`${server.wsUrl}/ws`, ['wscam.v1']),
      new WebSocket(`${server.wsUrl}/`)];
    await Promise.all(clients.map((ws) => collect(ws, 2)));
    const closes = clients.map((ws) => new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))));
    const started = Date.now();
    const exitCode = await server.stop(signal);
    const elapsed = Date.now() - started;
    for (const c of await Promise.all(closes)) assert.deepEqual(c, { code: 1001, reason: 'server shutting down' });
    assert.equal(exitCode, 0, server.logs());
    // A hang guard, not a benchmark: the server's own grace period is 0.9 s.
    assert.ok(elapsed < 5000, `took ${elapsed} ms to exit`);
    assert.match(server.logs(), /viewer closed stream=default peer=127\.0\.0\.1:\d+ frames=\d+ drops=\d+ reason=server shutdown/);
  });
}

test('bad options are refused with a message and exit code 2', async () => {
  const { spawnSync } = await import('node:child_process');
  const { WSCAM_BIN } = await import('./lib/wscam.mjs');
  for (const [args, message] of [
    [['--size', 'big'], /--size: size 'big' is not WIDTHxHEIGHT/],
    [['--fps', '0'], /--fps/],
    [['--bogus'], /--bogus/],
  ]) {
    const r = spawnSync(WSCAM_BIN, args, { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const bad = spawnSync(WSCAM_BIN, ['--source', 'testsrc:?colour=red', '--port', '0'], { encoding: 'utf8' });
  assert.equal(bad.status, 2, 'a bad source URI is a usage error too');
  assert.match(bad.stderr, /--source: stream default: .*unknown parameter 'colour'/);
});
