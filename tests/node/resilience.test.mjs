// A camera that dies and comes back 20 times while 10 viewers watch: every viewer sees
// offline/online each time, frames resume each time, nobody is disconnected, memory stays flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';
import { makeFrames, startCameraWebServer } from './lib/cameras.mjs';

const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

function until(predicate, what, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const t = setInterval(() => {
      if (predicate()) { clearInterval(t); resolve(); }
      else if (Date.now() - started > timeoutMs) { clearInterval(t); reject(new Error(`timed out waiting for ${what}`)); }
    }, 10);
  });
}

test('upstream killed and restarted 20 times under 10 viewers', async () => {
  const frames = makeFrames(10);
  let cam = await startCameraWebServer(frames, { fps: 25 });
  const port = cam.port;
  const server = await startWscam(['--source', cam.url, '--reconnect-delay', '0.05', '--reconnect-max', '0.2',
    '--stall-timeout', '2']);
  const viewers = Array.from({ length: 10 }, () => {
    const v = { frames: 0, offline: 0, online: 0, closed: false, ws: new WebSocket(`${server.wsUrl}/ws`, ['wscam.v1']) };
    v.ws.on('message', (data, binary) => {
      if (binary) { v.frames++; return; }
      const m = JSON.parse(data.toString());
      if (m.type === 'status' && m.state === 'offline') v.offline++;
      if (m.type === 'status' && m.state === 'online') v.online++;
    });
    v.ws.on('close', () => { v.closed = true; });
    return v;
  });
  try {
    await until(() => viewers.every((v) => v.frames > 0), 'first frames');
    const rssStart = rssKiB(server.proc.pid);
    for (let cycle = 1; cycle <= 20; cycle++) {
      const before = viewers.map((v) => v.offline);
      await cam.kill();
      await until(() => viewers.every((v, i) => v.offline > before[i]), `offline in cycle ${cycle}`);
      const framesBefore = viewers.map((v) => v.frames);
      const onlineBefore = viewers.map((v) => v.online);
      cam = await startCameraWebServer(frames, { port, fps: 25 });
      await until(() => viewers.every((v, i) => v.online > onlineBefore[i] && v.frames > framesBefore[i] + 2),
        `frames again in cycle ${cycle}`);
    }
    const rssEnd = rssKiB(server.proc.pid);
    for (const v of viewers) {
      assert.equal(v.closed, false, 'no viewer was disconnected');
      assert.ok(v.offline >= 20 && v.online >= 20, `saw ${v.offline} offline / ${v.online} online`);
    }
    assert.ok(rssEnd - rssStart < 16 * 1024, `RSS grew from ${rssStart} KiB to ${rssEnd} KiB over 20 reconnects`);
  } finally {
    viewers.forEach((v) => v.ws.close());
    await server.stop();
    await cam.kill().catch(() => {});
  }
});
