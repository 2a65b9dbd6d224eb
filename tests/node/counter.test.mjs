// The tutorial's warm-up demo: one counter, incremented every second, seen by every client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';

const COUNTER_BIN = process.env.COUNTER_BIN || new URL('../../build/counter_server', import.meta.url).pathname;

test('every client sees the same counter going up each second', async () => {
  const server = await startWscam([], { bin: COUNTER_BIN });
  try {
    const page = await (await fetch(server.url)).text();
    assert.match(page, /new WebSocket/);
    const clients = Array.from({ length: 5 }, () => new WebSocket(`${server.wsUrl}/ws`));
    const seen = await Promise.all(clients.map((ws) => new Promise((resolve, reject) => {
      const values = [];
      ws.on('message', (d) => { values.push(Number(d.toString())); if (values.length === 3) resolve(values); });
      ws.once('error', reject);
    })));
    clients.forEach((ws) => ws.close());
    for (const values of seen) {
      assert.equal(values[1], values[0] + 1);
      assert.equal(values[2], values[1] + 1);
    }
    // All five joined at about the same time, so they agree on the count (give or take a tick).
    const lasts = seen.map((v) => v[2]);
    assert.ok(Math.max(...lasts) - Math.min(...lasts) <= 1, `counts ${lasts}`);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
