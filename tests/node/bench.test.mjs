// wscam-bench against a real wscam: its counts agree with the server's own counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startWscam } from './lib/wscam.mjs';
import { until } from './lib/wait.mjs';

const BENCH_BIN = process.env.BENCH_BIN || new URL('../../build/wscam-bench', import.meta.url).pathname;

function runBench(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(BENCH_BIN, [...args, '--json', '-']);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.once('error', reject);  // e.g. the binary is missing: fail now, not at the timeout
    p.on('exit', (status) => resolve({ status, out, json: JSON.parse(out.slice(out.indexOf('{'))) }));
  });
}

const metric = async (server, name) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm'))[1]);
};

test('fast viewers: every one gets the frames the source published, with plausible latency', async () => {
  const server = await startWscam(['--source', 'testsrc:?size=320x240&fps=30', '--always-on']);
  try {
    const published0 = await metric(server, 'wscam_stream_frames_published_total');
    const t0 = Date.now();
    const { status, json } = await runBench(['--url', `${server.wsUrl}/ws`, '--clients', '10', '--warmup', '0.5', '--duration', '2', '--server-pid', String(server.proc.pid)]);
    const rate = ((await metric(server, 'wscam_stream_frames_published_total')) - published0) / ((Date.now() - t0) / 1000);
    assert.equal(status, 0);
    assert.equal(json.connected, 10);
    assert.equal(json.wscam_v1, 10);
    assert.equal(json.connect_failures, 0);
    assert.equal(json.frames_skipped, 0);
    // Compared with the source's own rate in the same run, not with a clock.
    assert.ok(json.fps.min >= 0.9 * rate, `slowest viewer ${json.fps.min} fps, source ${rate.toFixed(1)} fps`);
    assert.ok(json.latency_ms.p50 > 0 && json.latency_ms.p50 < 1000, `latency p50 ${json.latency_ms.p50} ms`);
    assert.ok(json.server.rss_kib > 0 && json.server.cpu_cores >= 0, 'server sampled through /proc');
  } finally {
    await server.stop();
  }
});

test('a slow viewer: the gaps it counts are the frames the server says it skipped for it', async () => {
  const server = await startWscam(['--source', 'testsrc:?size=640x480&fps=30&noise=30', '--always-on']);
  try {
    const { json } = await runBench(['--url', `${server.wsUrl}/ws`, '--clients', '1', '--slow-share', '1',
      '--slow-rate', '2000000', '--warmup', '0.5', '--duration', '2']);
    const closedLine = /viewer closed stream=default peer=\S+ frames=(\d+) drops=(\d+)/;
    // The server logs the close once its side of it has run, which may be after the bench exited.
    await until(() => closedLine.test(server.logs()), 'the server to log the close').catch(() => {});
    const m = server.logs().match(closedLine);
    assert.ok(m, server.logs());
    const [sent, dropped] = [Number(m[1]), Number(m[2])];
    assert.ok(json.totals.frames_skipped > 10, `the slow viewer skipped ${json.totals.frames_skipped} frames`);
    // The bench exits mid-stream: the server may have written a frame or two it never finished reading.
    const unseen = sent - json.totals.frames;
    assert.ok(unseen >= 0 && unseen <= 2, `server sent ${sent}, bench got ${json.totals.frames}`);
    // Both count sequence gaps between written frames, so they agree up to the last frame the bench
    // read; each unseen frame hides one more gap, about as long as this viewer's usual gap.
    // In steady state the viewer gets one frame in (source fps / its own fps).
    const usualGap = 30 / Math.max(0.1, json.slow.fps_median);
    const extra = dropped - json.totals.frames_skipped;
    assert.ok(extra >= 0, `server skipped ${dropped}, bench counted ${json.totals.frames_skipped}`);
    assert.ok(extra <= unseen * (2 * usualGap + 2),
      `server skipped ${dropped}, bench counted ${json.totals.frames_skipped}, ${unseen} unseen, usual gap ${usualGap.toFixed(1)}`);
  } finally {
    await server.stop();
  }
});
