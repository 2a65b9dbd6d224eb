// RTSP out, when units arrive: at the camera's pace and soon after capture for 20 readers of one
// encoder, and for a reader while another stalls (it is dropped to keyframes and cut off). Normal
// build only, alone (timing); what peers send and how the server answers is rtsp.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { metric, startWscam } from './lib/wscam.mjs';
import { freePort } from './lib/nats.mjs';
import { readRtsp, timing } from './lib/rtsp_reader.mjs';
import { until } from './lib/wait.mjs';

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const start = async (args) => startWscam(['--rtsp-port', String(await freePort()), ...args]);

test('units arrive at the camera\'s pace, soon after capture; 20 readers share one encoder', async () => {
  const w = await start(['--stream', 'cam=testsrc:?size=320x240&fps=30']);
  const readers = [];
  try {
    for (let i = 0; i < 20; i++) readers.push(await readRtsp(w.rtspUrl('cam')));
    for (const r of readers) assert.equal(r.status, 200);
    await until(() => readers.every((r) => r.units.length >= 120 && r.sr), '4 s of units and a sender report for every reader', 20000);
    assert.equal(await metric(w, 'wscam_rtsp_readers{stream="cam"}'), 20);
    assert.equal(await metric(w, 'wscam_h264_encoders'), 1, 'one encoder for 20 readers');
    for (const r of readers) {
      const { gaps, latencies } = timing(r, 30);
      // The pace of a 30 fps camera: a late unit is a bug even when it comes.
      assert.ok(percentile(gaps, 0.5) > 25 && percentile(gaps, 0.5) < 42, `median gap ${percentile(gaps, 0.5)} ms`);
      assert.ok(Math.max(...gaps) < 250, `largest gap ${Math.max(...gaps)} ms`);
      assert.equal(latencies.length, gaps.length + 1, 'the sender report dates every unit');
      assert.ok(percentile(latencies, 0.95) < 250, `capture to arrival p95 ${percentile(latencies, 0.95)} ms`);
    }
  } finally {
    for (const r of readers) r.close?.();
    assert.equal(await w.stop(), 0);
  }
});

test('a reader that stops reading is dropped to keyframes and cut off after --write-timeout; another keeps its pace; memory stays bounded', async () => {
  const w = await start(['--stream', 'cam=testsrc:?size=1280x720&fps=30', '--write-timeout', '3']);
  const rss = () => Number(spawnSync('ps', ['-o', 'rss=', '-p', String(w.proc.pid)], { encoding: 'utf8' }).stdout.trim());
  let stall;
  try {
    const good = await readRtsp(w.rtspUrl('cam'));
    await until(() => good.units.length >= 30, 'the good reader to start', 10000);
    const before = rss();
    stall = spawn('python3', [new URL('./lib/rtsp_stall.py', import.meta.url).pathname, w.rtspUrl('cam'), '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    stall.stdout.on('data', (d) => { said += d; });
    stall.stderr.on('data', (d) => { said += d; });
    await until(() => /playing/.test(said), `the stalled reader to play (${said})`, 10000);
    const from = good.units.length;
    await until(async () => await metric(w, 'wscam_rtsp_cut_off_total{stream="cam"}') === 1, 'the stalled reader cut off', 15000);
    assert.match(w.logs(), /rtsp reader peer=127\.0\.0\.1:\d+ stream=cam cut off: it took no video for the write timeout/);
    assert.ok(await metric(w, 'wscam_rtsp_dropped_total{stream="cam"}') > 0, 'its units were dropped, and counted');
    await until(async () => await metric(w, 'wscam_rtsp_readers{stream="cam"}') === 1, 'only the good reader left', 10000);
    const { gaps } = timing(good, from);
    assert.ok(gaps.length >= 90, `the good reader went on (${gaps.length} units)`);
    assert.ok(percentile(gaps, 0.5) > 25 && percentile(gaps, 0.5) < 42, `its median gap ${percentile(gaps, 0.5)} ms`);
    assert.ok(Math.max(...gaps) < 250, `its largest gap ${Math.max(...gaps)} ms while the other stalled`);
    assert.ok(rss() - before < 64 * 1024, `RSS grew by ${rss() - before} KiB`);
    good.close();
  } finally {
    stall?.kill('SIGKILL');
    assert.equal(await w.stop(), 0);
  }
});

