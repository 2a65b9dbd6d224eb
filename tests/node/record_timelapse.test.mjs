// Timelapse (issue 23): `--timelapse 1s` keeps one picture a second of every stream in a daily MP4
// that plays at 30 fps, recorded or not. The real binary, Debian's ffprobe, ffmpeg and curl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import WebSocket from 'ws';
import { watch } from './lib/cluster_viewer.mjs';
import { makeFrames } from './lib/cameras.mjs';
import { sleep, until } from './lib/wait.mjs';

const probe = (file, entries = 'stream=codec_name,width,height,r_frame_rate,nb_read_frames') => {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', entries,
    '-of', 'json', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffprobe ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const frames = (file) => Number(probe(file).streams[0].nb_read_frames);

/** Today's local date as the server names its file (the test and the server share TZ). */
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

test('--timelapse 1s: a picture a second in a daily H.264 MP4 at 30 fps, listed, served by Range, playable while written; a restart starts part 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-timelapse-'));
  const args = ['--stream', 'cam=testsrc:?size=320x240&fps=10', '--timelapse', '1s', '--record-dir', dir, '--view-token', 'v'];
  let server = await startWscam(args);
  try {
    // Not recorded, nobody watching: the timelapse alone keeps the camera on.
    await until(() => /source capturing/.test(server.logs()), 'the camera runs for the timelapse');
    await until(() => /stream=cam timelapse: writing \d{4}-\d\d-\d\d\.mp4 \(h264, a picture every 1 s\)/.test(server.logs()), 'the file is opened');
    const file = join(dir, 'cam', 'timelapse', `${today()}.mp4`);
    await sleep(2500);
    // One picture a second, by the clock: the count grows with the time between two looks
    // (each look reads the file while it is being written, so ffprobe plays it then).
    const t0 = Date.now(), n0 = frames(file);
    await sleep(4000);
    const t1 = Date.now(), n1 = frames(file);
    const rate = (n1 - n0) / ((t1 - t0) / 1000);
    assert.ok(rate > 0.7 && rate < 1.3, `${n1 - n0} pictures in ${(t1 - t0) / 1000} s`);
    const info = probe(file).streams[0];
    assert.equal(info.codec_name, 'h264');
    assert.deepEqual([info.width, info.height], [320, 240]);
    assert.equal(info.r_frame_rate, '30/1');
    // The timeline: a picture every 1/30 s, whatever the time between captures.
    const pts = probe(file, 'packet=pts_time').packets.map((p) => Number(p.pts_time));
    for (let i = 1; i < pts.length; i++) assert.ok(Math.abs(pts[i] - pts[i - 1] - 1 / 30) < 1e-3, `pictures ${i - 1}, ${i}: ${pts[i - 1]}, ${pts[i]}`);
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decode.stderr, '', 'decoded without a complaint');

    // Listed under the view token, and served by Range.
    assert.equal((await fetch(`${server.url}/api/recordings/cam`)).status, 401);
    const body = await (await fetch(`${server.url}/api/recordings/cam?token=v`)).json();
    assert.deepEqual(body.segments, [], 'not recorded: the timelapse alone');
    assert.equal(body.timelapse.length, 1);
    const listed = body.timelapse[0];
    assert.equal(listed.name, `${today()}.mp4`);
    assert.equal(listed.day, today());
    assert.equal(listed.part, 1);
    assert.equal(listed.url, `/recordings/cam/timelapse/${today()}.mp4`);
    const curl = spawnSync('curl', ['-s', '-D', '-', '-o', join(dir, 'part'), '-H', 'Authorization: Bearer v', '-r', '0-99',
      `${server.url}${listed.url}`], { encoding: 'utf8' });
    assert.match(curl.stdout, /^HTTP\/1\.1 206/);
    assert.match(curl.stdout, /Content-Range: bytes 0-99\/\d+/i);
    assert.deepEqual(readFileSync(join(dir, 'part')), readFileSync(file).subarray(0, 100));
    // An If-Range names a version wscam never gave (no validators): the whole file, not a part of it.
    const ifRange = await fetch(`${server.url}${listed.url}?token=v`, { headers: { range: 'bytes=0-99', 'if-range': '"x"' } });
    assert.equal(ifRange.status, 200);
    await ifRange.arrayBuffer();
    assert.equal((await fetch(`${server.url}${listed.url}`)).status, 401, 'the view token guards it');
    for (const bad of ['2026-13-7.mp4', '..%2f..%2fetc%2fpasswd', `${today()}-1.mp4`, `${today()}-02.mp4`, 'index.sqlite3'])
      assert.equal((await fetch(`${server.url}/recordings/cam/timelapse/${bad}?token=v`)).status, 404, bad);

    // Stopped: the file is complete; started again: the day goes on in part 2, part 1 unchanged.
    assert.equal(await server.stop(), 0);
    const kept = frames(file), size = statSync(file).size;
    assert.ok(kept >= n1, `${kept} pictures kept of ${n1} seen`);
    server = await startWscam(args);
    await until(() => new RegExp(`timelapse: writing ${today()}-2\\.mp4`).test(server.logs()), 'the next part');
    await sleep(2500);
    assert.equal(statSync(file).size, size, 'part 1 is not touched');
    const again = await (await fetch(`${server.url}/api/recordings/cam?token=v`)).json();
    assert.deepEqual(again.timelapse.map((f) => f.name), [`${today()}.mp4`, `${today()}-2.mp4`]);
    assert.ok(frames(join(dir, 'cam', 'timelapse', `${today()}-2.mp4`)) >= 1);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an MJPEG timelapse holds the camera\'s JPEGs as they came, about a second of capture apart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-timelapse-'));
  const config = join(dir, 'wscam.toml');
  writeFileSync(config, `[[stream]]\nname = "cam"\nsource = "testsrc:?size=320x240&fps=10"\nrecord_codec = "mjpeg"\ntimelapse = "1s"\n`);
  const server = await startWscam(['--config', config, '--record-dir', dir]);
  try {
    const viewer = watch(`${server.wsUrl}/ws/cam`);
    await viewer.opened;
    await sleep(5500);
    const file = join(dir, 'cam', 'timelapse', `${today()}.mp4`);
    assert.equal(probe(file).streams[0].codec_name, 'mjpeg');
    const out = join(dir, 'pictures');
    spawnSync('mkdir', ['-p', out]);
    const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-c', 'copy', '-f', 'image2', join(out, '%03d.jpg')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const pictures = readdirSync(out).sort().map((f) => readFileSync(join(out, f)));
    assert.ok(pictures.length >= 3, `${pictures.length} pictures`);
    // Each is one the camera sent, bit for bit, and they are about a second of capture apart.
    const sent = new Map(viewer.frames.map((f) => [Buffer.from(f.jpeg).toString('base64'), f.capture]));
    const captures = pictures.map((p) => sent.get(p.toString('base64')));
    assert.ok(captures.every((c) => c !== undefined), 'every picture is a JPEG the camera sent');
    for (let i = 1; i < captures.length; i++) {
      const apart = captures[i] - captures[i - 1];
      assert.ok(apart > 0.7e6 && apart < 1.3e6, `pictures ${i - 1} and ${i} were captured ${apart} µs apart`);
    }
    viewer.ws.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a camera that stops sending gives the timelapse no pictures while it is silent, not repeats of its last', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-timelapse-'));
  const server = await startWscam(['--stream', 'cam=push:', '--timelapse', '1s', '--record-codec', 'mjpeg', '--record-dir', dir]);
  const jpegs = makeFrames(40);
  const camera = new WebSocket(`${server.wsUrl}/publish/cam`);
  camera.on('error', () => {});
  try {
    await new Promise((resolve) => camera.on('open', resolve));
    const send = async (ms) => {
      for (const end = Date.now() + ms; Date.now() < end;) {
        camera.send(jpegs[Math.floor(Math.random() * jpegs.length)]);
        await sleep(100);
      }
    };
    const file = join(dir, 'cam', 'timelapse', `${today()}.mp4`);
    await send(4500);
    const sending = frames(file);
    assert.ok(sending >= 2, `${sending} pictures while the camera sent`);
    await sleep(4000);  // silent: the publisher is connected, its newest picture grows old
    const silent = frames(file) - sending;
    assert.ok(silent <= 1, `${silent} pictures came while the camera was silent for 4 s`);
    await send(3500);
    assert.ok(frames(file) - sending - silent >= 2, 'pictures again once it sends');
  } finally {
    camera.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a camera\'s picture x264 cannot take, a huge one, and links planted at the next file names: skipped, said, never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-timelapse-'));
  const server = await startWscam(['--stream', 'cam=push:', '--timelapse', '1s', '--record-dir', dir]);
  const jpeg = (size) => spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=s=${size}`, '-frames:v', '1', '-pix_fmt', 'yuvj420p',
    '-f', 'mjpeg', '-'], { maxBuffer: 64 << 20 }).stdout;
  const wide = jpeg('16386x16'), small = jpeg('160x120'), big = jpeg('4000x3000');
  const camera = new WebSocket(`${server.wsUrl}/publish/cam`);
  camera.on('error', () => {});
  try {
    await new Promise((resolve) => camera.on('open', resolve));
    const folder = join(dir, 'cam', 'timelapse');
    // Links where the next parts would go: one loops, one points at a file outside.
    const { symlinkSync, writeFileSync: write } = await import('node:fs');
    write(join(dir, 'victim'), 'IMPORTANT');
    symlinkSync(`${today()}-2.mp4`, join(folder, `${today()}-2.mp4`));
    symlinkSync(join(dir, 'victim'), join(folder, `${today()}-3.mp4`));
    const send = async (picture, ms) => { for (const end = Date.now() + ms; Date.now() < end;) { camera.send(picture); await sleep(200); } };
    await send(wide, 3000);
    assert.match(server.logs(), /stream=cam timelapse: a picture of 16386x16 skipped: H\.264 takes at most 16384 a side/);
    await send(small, 3000);
    await send(big, 3000);  // decoded at 1/2 (the live path's pixel cap): not 700 MB
    assert.equal(server.proc.exitCode, null, 'the server runs');
    const rss = Number(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
    assert.ok(rss < (process.env.ASAN_OPTIONS ? 900 : 400), `RSS ${rss} MiB`);
    assert.equal(readFileSync(join(dir, 'victim'), 'utf8'), 'IMPORTANT', 'nothing written through the link');
    // The day's file goes after every name in the folder, the links' too: part 4.
    assert.ok(frames(join(folder, `${today()}-4.mp4`)) >= 2, 'the small pictures are in the day\'s file');
    assert.match(server.logs(), /a picture of another size skipped \(2000x1500\)/);
  } finally {
    camera.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a timelapse period that is not one is refused with the reason', () => {
  for (const [args, reason] of [[['--timelapse', '0.5s'], /--timelapse: give seconds from 1 to 86400/], [['--timelapse', '2d'], /--timelapse/]]) {
    const r = spawnSync(process.env.WSCAM_BIN || new URL('../../build/wscam', import.meta.url).pathname, args, { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, reason);
  }
});
