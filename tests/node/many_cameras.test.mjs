// Many network cameras on one server (issue 12): they share the server's I/O threads, so the
// process has as many threads with 40 cameras as with one; a reload that removes half of them
// lets go of their connections at once while the others keep streaming.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';
import { makeFrames, startCameraWebServer } from './lib/cameras.mjs';
import { sleep, until } from './lib/wait.mjs';

const threadsOf = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Threads:\s+(\d+)/m)[1]);
const config = (cams) => cams.map((c, i) => `[[stream]]\nname = "cam${i}"\nsource = "${c.url}"\n`).join('\n');

function watch(url) {
  const v = { frames: [], closed: null, ws: new WebSocket(url, ['wscam.v1']) };
  v.ws.on('message', (data, binary) => { if (binary) v.frames.push(performance.now()); });
  v.ws.on('close', (code) => { v.closed = code; });
  v.ws.on('error', () => {});
  return v;
}

test('40 pulled cameras cost no more threads than one; a reload that removes 20 lets go of them at once', async () => {
  const frames = makeFrames(10, '160x120');
  const cams = await Promise.all(Array.from({ length: 40 }, () => startCameraWebServer(frames, { fps: 10 })));
  const dir = mkdtempSync(join(tmpdir(), 'wscam-many-'));
  writeFileSync(join(dir, 'one.toml'), config(cams.slice(0, 1)));
  writeFileSync(join(dir, 'many.toml'), config(cams));
  const one = await startWscam(['--threads', '2', '--config', join(dir, 'one.toml')]);
  const many = await startWscam(['--threads', '2', '--config', join(dir, 'many.toml')]);
  const viewers = [];
  try {
    // Nobody watches: no camera is connected to, and 40 configured cameras add no thread.
    await sleep(500);
    assert.equal(cams.reduce((n, c) => n + c.connections(), 0), 0, 'no camera connected while nobody watches');
    const idle = threadsOf(many.proc.pid);
    assert.equal(idle, threadsOf(one.proc.pid), 'idle: as many threads with 40 cameras as with one');

    // Everyone watched: frames from every camera, still no thread per camera. A context's
    // first name lookup starts Asio's resolver thread: at most one per I/O thread.
    for (let i = 0; i < 40; ++i) viewers.push(watch(`${many.wsUrl}/ws/cam${i}`));
    await until(() => viewers.every((v) => v.frames.length >= 10), 'frames from every camera', 15000);
    const busy = threadsOf(many.proc.pid);
    assert.ok(busy <= idle + 2, `40 cameras streaming: ${busy} threads (idle ${idle}, 2 I/O threads)`);
    for (const [i, v] of viewers.entries()) {
      const gaps = v.frames.slice(1).map((t, k) => t - v.frames[k]).sort((a, b) => a - b);
      const median = gaps[Math.floor(gaps.length / 2)];
      assert.ok(median > 60 && median < 150, `cam${i}: median gap ${median.toFixed(0)} ms at 10 fps`);
    }
    assert.equal(cams.reduce((n, c) => n + c.connections(), 0), 40, 'one connection per camera');

    // Remove cam20..cam39: their viewers are closed, their camera connections end at once
    // (not when the next frame would have been read), the other 20 keep streaming.
    writeFileSync(join(dir, 'many.toml'), config(cams.slice(0, 20)));
    const counts = viewers.map((v) => v.frames.length);
    many.proc.kill('SIGHUP');
    await until(() => viewers.slice(20).every((v) => v.closed === 4404), 'the removed streams\' viewers closed with 4404');
    await until(() => cams.slice(20).every((c) => c.connections() === 0), 'the removed cameras let go', 2000);
    await until(() => viewers.slice(0, 20).every((v, i) => v.frames.length >= counts[i] + 5), 'the others keep streaming');
    assert.ok(viewers.slice(0, 20).every((v) => v.closed === null), 'the others stay connected');
    assert.ok(cams.slice(0, 20).every((c) => c.connections() === 1));
    assert.ok(threadsOf(many.proc.pid) <= busy, 'no thread left behind');
  } finally {
    viewers.forEach((v) => v.ws.close());
    // Stopping with cameras connected: the sources go with the server's I/O contexts.
    assert.equal(await many.stop(), 0, 'a clean exit with 20 cameras connected');
    assert.equal(await one.stop(), 0);
    await Promise.all(cams.map((c) => c.kill()));
  }
});

test('files, programs and pipes as cameras share the I/O threads too', async () => {
  const frames = makeFrames(10, '160x120');
  const dir = mkdtempSync(join(tmpdir(), 'wscam-kinds-'));
  const clip = join(dir, 'clip.mjpeg');
  writeFileSync(clip, Buffer.concat(frames));
  const fifos = [0, 1, 2].map((i) => join(dir, `cam${i}.fifo`));
  for (const f of fifos) spawnSync('mkfifo', [f]);
  const streams = [
    ...Array.from({ length: 8 }, (_, i) => [`file${i}`, `file:${clip}?fps=10`]),
    // A program that writes the clip over and over: no thread of ours per program.
    ...Array.from({ length: 6 }, (_, i) => [`exec${i}`, `exec:sh -c 'while :; do cat ${clip}; sleep 1; done'`]),
    ...fifos.map((f, i) => [`pipe${i}`, `pipe:${f}`]),
  ];
  writeFileSync(join(dir, 'kinds.toml'), streams.map(([name, source]) => `[[stream]]\nname = "${name}"\nsource = "${source}"\n`).join('\n'));
  writeFileSync(join(dir, 'one.toml'), `[[stream]]\nname = "file0"\nsource = "file:${clip}"\n`);
  const one = await startWscam(['--threads', '2', '--config', join(dir, 'one.toml')]);
  const server = await startWscam(['--threads', '2', '--config', join(dir, 'kinds.toml')]);
  // Writers for the FIFOs: the clip every second, like a camera program would.
  const writers = fifos.map((f) => spawn('sh', ['-c', `while :; do cat ${clip}; sleep 1; done > ${f}`]));
  const viewers = [];
  try {
    await sleep(500);
    const idle = threadsOf(server.proc.pid);
    assert.equal(idle, threadsOf(one.proc.pid), `idle: ${streams.length} streams have as many threads as one`);
    for (const [name] of streams) viewers.push(watch(`${server.wsUrl}/ws/${name}`));
    await until(() => viewers.every((v) => v.frames.length >= 5), 'frames from every stream', 15000);
    const busy = threadsOf(server.proc.pid);
    assert.ok(busy <= idle + 2, `${streams.length} streams playing: ${busy} threads (idle ${idle})`);
  } finally {
    viewers.forEach((v) => v.ws.close());
    writers.forEach((w) => w.kill());
    spawnSync('pkill', ['-f', `cat ${clip}`]);  // the writers' own cat
    assert.equal(await server.stop(), 0, 'a clean exit with programs running');
    assert.equal(await one.stop(), 0);
  }
  // Every program ended with the stream (its process group too).
  const shells = spawnSync('pgrep', ['-f', `while :; do cat ${clip}; sleep 1; done$`]).stdout.toString().trim();
  assert.equal(shells, '', 'no program left running after wscam stopped');
});

test('test patterns share one render thread per core, and each keeps its pace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-patterns-'));
  const patterns = Array.from({ length: 12 }, (_, i) => [`pattern${i}`, 'testsrc:?size=320x240&fps=10']);
  writeFileSync(join(dir, 'many.toml'), patterns.map(([name, source]) => `[[stream]]\nname = "${name}"\nsource = "${source}"\n`).join('\n'));
  writeFileSync(join(dir, 'one.toml'), '[[stream]]\nname = "pattern0"\nsource = "testsrc:?size=320x240&fps=10"\n');
  const one = await startWscam(['--threads', '2', '--config', join(dir, 'one.toml')]);
  const server = await startWscam(['--threads', '2', '--config', join(dir, 'many.toml')]);
  const viewers = [];
  try {
    await sleep(500);
    const idle = threadsOf(server.proc.pid);
    assert.equal(idle, threadsOf(one.proc.pid), 'idle: 12 test patterns have as many threads as one');
    for (const [name] of patterns) viewers.push(watch(`${server.wsUrl}/ws/${name}`));
    await until(() => viewers.every((v) => v.frames.length >= 15), 'frames from every pattern', 15000);
    const busy = threadsOf(server.proc.pid);
    const cores = availableParallelism();
    assert.ok(busy <= idle + cores, `12 patterns rendering: ${busy} threads (idle ${idle}, ${cores} render threads at most)`);
    for (const [i, v] of viewers.entries()) {
      const gaps = v.frames.slice(1).map((t, k) => t - v.frames[k]).sort((a, b) => a - b);
      const median = gaps[Math.floor(gaps.length / 2)];
      assert.ok(median > 60 && median < 150, `pattern${i}: median gap ${median.toFixed(0)} ms at 10 fps`);
    }
  } finally {
    viewers.forEach((v) => v.ws.close());
    assert.equal(await server.stop(), 0);
    assert.equal(await one.stop(), 0);
  }
});
