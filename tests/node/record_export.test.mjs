// Reading the past (issue 23): export.mp4 of a time range, snapshot.jpg at a time, DELETE of
// recordings, and downloads that outlast the header timeout. The real binary records the test
// card; a live viewer says which pictures the camera sent and when; Debian's ffprobe, ffmpeg and
// curl read what wscam answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { watch } from './lib/cluster_viewer.mjs';
import { sleep, until } from './lib/wait.mjs';

const probe = (file) => {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries',
    'stream=codec_name,nb_read_frames:packet=size', '-of', 'json', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffprobe ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

/** The pictures of an MP4 holding JPEGs, as they are in it (ffmpeg copies each sample to a file). */
function jpegsOf(file, dir) {
  const out = join(dir, 'pictures');
  rmSync(out, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', out]);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-c', 'copy', '-f', 'image2', join(out, '%05d.jpg')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readdirSync(out).sort().map((f) => readFileSync(join(out, f)));
}

const seconds = (us) => (us / 1e6).toFixed(6);

async function recording(extra, { codec = 'mjpeg', source = 'size=320x240', wait = 11000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-export-'));
  const server = await startWscam(['--stream', `cam=testsrc:?${source}&fps=10`, '--record', 'continuous',
    '--record-codec', codec, '--record-dir', dir, '--record-segment', '5', '--view-token', 'v', '--control-token', 'c',
    ...extra]);
  const viewer = watch(`${server.wsUrl}/ws/cam?token=v`);
  await viewer.opened;
  await sleep(wait);
  return { dir, server, viewer };
}

test('export.mp4: exactly the pictures of a range across segments, as the camera sent them, under a file name', async () => {
  const { dir, server, viewer } = await recording([]);
  try {
    const frames = viewer.frames;
    assert.ok(frames.length >= 100, `${frames.length} frames`);
    // A range across the first segment boundary (5 s in), its ends between pictures and on one.
    const from = frames[20].capture - 30e3, to = frames[80].capture;
    const wanted = frames.filter((f) => f.capture >= from && f.capture < to);
    assert.equal(wanted.length, 60);
    const url = `${server.url}/recordings/cam/export.mp4?from=${seconds(from)}&to=${seconds(to)}`;
    assert.equal((await fetch(url)).status, 401, 'an export needs the view token');
    const file = join(dir, 'export.mp4');
    const r = spawnSync('curl', ['-s', '-D', '-', '-o', file, '-H', 'Authorization: Bearer v', url], { encoding: 'utf8' });
    assert.match(r.stdout, /^HTTP\/1.1 200 OK\r\n/);
    assert.match(r.stdout, /Content-Type: video\/mp4\r\n/);
    assert.match(r.stdout, /Content-Disposition: attachment; filename="cam-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.mp4"\r\n/);
    const info = probe(file);
    assert.equal(info.streams[0].codec_name, 'mjpeg');
    assert.equal(Number(info.streams[0].nb_read_frames), wanted.length, 'the range, no picture more or less');
    const pictures = jpegsOf(file, dir);
    assert.equal(pictures.length, wanted.length);
    pictures.forEach((p, i) => assert.ok(p.equals(wanted[i].jpeg), `picture ${i} is the camera's JPEG`));
    // The same range in ISO 8601.
    const iso = (us) => new Date(us / 1000).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);
    const again = join(dir, 'again.mp4');
    spawnSync('curl', ['-s', '-o', again, `${server.url}/recordings/cam/export.mp4?from=${iso(from)}&to=${iso(to)}&token=v`]);
    assert.equal(Number(probe(again).streams[0].nb_read_frames), wanted.length);
    // What cannot be exported says why.
    const bad = await fetch(`${server.url}/recordings/cam/export.mp4?to=${seconds(to)}&token=v`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /from is needed/);
    const none = await fetch(`${server.url}/recordings/cam/export.mp4?from=1000000000&to=1000000100&token=v`);
    assert.equal(none.status, 404);
    assert.match(await none.text(), /no recordings between 2001-09-09T01:46:40/);
    assert.match(server.logs(), /stream=cam exported 60 frame\(s\)/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.export')), [], 'no export is left on disk');
  } finally {
    viewer.ws.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an H.264 export starts at a keyframe, shows only its range, and decodes cleanly', async () => {
  const { dir, server, viewer } = await recording([], { codec: 'h264', wait: 8000 });
  try {
    const frames = viewer.frames;
    const from = frames[25].capture, to = frames[65].capture;  // mid-GOP: the pictures before are hidden
    const file = join(dir, 'export.mp4');
    spawnSync('curl', ['-s', '-o', file, `${server.url}/recordings/cam/export.mp4?from=${seconds(from)}&to=${seconds(to)}&token=v`]);
    const info = probe(file);
    assert.equal(info.streams[0].codec_name, 'h264');
    assert.equal(Number(info.streams[0].nb_read_frames), 40, 'players show exactly the range');
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decode.status, 0);
    assert.equal(decode.stderr, '', 'decoded without a complaint');
  } finally {
    viewer.ws.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshot.jpg?at=: the recorded picture on screen at that time, with its capture time', async () => {
  const { dir, server, viewer } = await recording([], { wait: 4000 });
  try {
    const f = viewer.frames[15];
    const res = await fetch(`${server.url}/recordings/cam/snapshot.jpg?at=${seconds(f.capture + 50e3)}&token=v`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(f.jpeg), 'the camera\'s JPEG shown 50 ms after it came');
    assert.equal(res.headers.get('x-capture-time'), new Date(f.capture / 1000).toISOString().replace('Z', `${String(f.capture % 1000).padStart(3, '0')}Z`));
    assert.equal((await fetch(`${server.url}/recordings/cam/snapshot.jpg?at=${seconds(f.capture)}`)).status, 401);
    const before = await fetch(`${server.url}/recordings/cam/snapshot.jpg?at=1000000000&token=v`);
    assert.equal(before.status, 404);
    assert.match(await before.text(), /no recording at 2001-09-09T01:46:40/);
    const bad = await fetch(`${server.url}/recordings/cam/snapshot.jpg?at=noon&token=v`);
    assert.equal(bad.status, 400);
  } finally {
    viewer.ws.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('DELETE of recordings needs the control token, from no other site; files and index go together', async () => {
  const { dir, server, viewer } = await recording([], { wait: 11000 });
  try {
    viewer.ws.close();
    const list = async () => (await (await fetch(`${server.url}/api/recordings/cam?token=v`)).json()).segments;
    const before = await list();
    assert.ok(before.length >= 3, JSON.stringify(before.map((s) => s.name)));
    const to = before[1].end - 0.5;  // the first two segments overlap [0, to]
    const del = (headers) => fetch(`${server.url}/api/recordings/cam?to=${to}`, { method: 'DELETE', headers });
    const none = await del({});
    assert.equal(none.status, 401);
    assert.match(await none.text(), /invalid or missing control token/);
    assert.equal((await del({ authorization: 'Bearer v' })).status, 401, 'the view token deletes nothing');
    const foreign = await del({ authorization: 'Bearer c', origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match(await foreign.text(), /a page from http:\/\/evil.example may not delete recordings/);
    assert.equal((await list()).length, before.length, 'nothing went');
    // A range on one segment's own bounds takes that segment, not the two that touch it.
    const exact = await fetch(`${server.url}/api/recordings/cam?from=${before[1].start}&to=${before[1].end}`,
      { method: 'DELETE', headers: { authorization: 'Bearer c' } });
    assert.equal(exact.status, 200);
    assert.deepEqual((await exact.json()).deleted.map((s) => s.name), [before[1].name]);
    // Up to a time: every segment with a picture before it (this page's own origin may ask).
    const ok = await del({ authorization: 'Bearer c', origin: server.url });
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.deepEqual(body.deleted.map((s) => s.name), [before[0].name]);
    assert.deepEqual(body.kept, []);
    for (const s of before.slice(0, 2)) assert.ok(!existsSync(join(dir, 'cam', s.name)), `${s.name} is gone from the disk`);
    assert.deepEqual((await list()).map((s) => s.name).slice(0, before.length - 2), before.slice(2).map((s) => s.name));
    assert.match(server.logs(), /stream=cam recordings deleted: 1 segment\(s\)/);
    const get = await fetch(`${server.url}${before[0].url}?token=v`);
    assert.equal(get.status, 404, 'a deleted segment is not served');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Reads a raw HTTP answer at about `bytesPerSecond`; resolves with what came, and whether the server closed at its end. */
function slowGet(url, path, bytesPerSecond, limitMs) {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    let received = 0, closed = false, done = false;
    const started = Date.now();
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      socket.destroy();
      resolve({ received, closed, ms: Date.now() - started });
    };
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer v\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (d) => {
      received += d.length;
      socket.pause();
    });
    socket.on('close', () => { closed = true; finish(); });
    socket.on('error', () => {});
    // Resume in small steps: at most bytesPerSecond on average.
    const timer = setInterval(() => {
      if (Date.now() - started > limitMs) return finish();
      if (received < (Date.now() - started) / 1000 * bytesPerSecond) socket.resume();
    }, 20);
  });
}

test('a download slower than the header timeout goes on while it moves; a reader that stops is cut off', async () => {
  // Big noisy pictures: a segment larger than what the sockets' buffers hold (about 4 MB here),
  // read at ~3 MB/s with a 1 s header timeout.
  const { dir, server, viewer } = await recording(['--header-timeout', '1', '--write-timeout', '2'],
    { source: 'size=1280x720&noise=40&quality=90', wait: 6500 });
  try {
    viewer.ws.close();
    const [first] = (await (await fetch(`${server.url}/api/recordings/cam?token=v`)).json()).segments;
    assert.ok(first.bytes > 8e6, `the first segment holds ${first.bytes} bytes`);
    const slow = await slowGet(server.url, first.url, 3e6, 20000);
    assert.ok(slow.received > first.bytes, `received ${slow.received} of ${first.bytes} bytes in ${slow.ms} ms`);
    assert.ok(slow.ms > 2000, `the download took ${slow.ms} ms: longer than the timeouts`);
    assert.ok(slow.closed, 'the whole answer came, then the server closed as asked');
    // A reader that reads nothing: cut off after --write-timeout, while the live stream goes on.
    const stalled = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    stalled.on('error', () => {});
    stalled.write(`GET ${first.url} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer v\r\n\r\n`);
    stalled.pause();
    await until(() => /http connection closed peer=\S+: the client read nothing for 2 s/.test(server.logs()),
      'a reader that stops is cut off, and that is logged', 12000);
    stalled.destroy();
    const live = watch(`${server.wsUrl}/ws/cam?token=v`);
    await until(() => live.frames.length >= 3, 'live viewers are served meanwhile');
    live.ws.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what else is in the recordings folder is never read, served, repaired or waited on; a broken index is rebuilt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-export-folder-'));
  const outside = mkdtempSync(join(tmpdir(), 'wscam-export-outside-'));
  const config = join(dir, 'wscam.toml');
  const args = ['--config', config];
  // A stream with its own view token, recorded; no server-wide token.
  writeFileSync(config, `record_dir = "${dir}"\nrecord_codec = "mjpeg"\nrecord_segment = 5\n` +
    `[[stream]]\nname = "private"\nsource = "testsrc:?size=320x240&fps=10"\nview_token = "secret"\nrecord = "continuous"\n`);
  let server = await startWscam(args);
  try {
    await sleep(11000);
    assert.equal(await server.stop(), 0);
    const folder = join(dir, 'private');
    const [real] = readdirSync(folder).sort();
    // What someone else put there: a link to a file outside (a cut copy of a segment, which
    // repair would cut again if it followed the link), a FIFO, an MP4 of another name, a broken index.
    const cut = readFileSync(join(folder, real)).subarray(0, 5000);
    writeFileSync(join(outside, 'secret.mp4'), cut);
    symlinkSync(join(outside, 'secret.mp4'), join(folder, '20261201T000100.000000Z.mp4'));
    spawnSync('mkfifo', [join(folder, '20261201T000200.000000Z.mp4')]);
    writeFileSync(join(folder, 'holiday.mp4'), cut);
    writeFileSync(join(dir, 'index.sqlite3'), Buffer.alloc(8192, 7));
    server = await startWscam(args);
    await until(() => /index\.sqlite3.*set aside as index\.sqlite3\.broken-\d+, a new index is built from the segments/.test(server.logs()),
      'the broken index is set aside');
    const api = async (path, token = 'secret') => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const list = await (await api('/api/recordings/private')).json();
    assert.ok(list.segments.some((s) => s.name === real), 'the segments are indexed again from the files');
    assert.ok(!list.segments.some((s) => s.name.startsWith('20261201')), `a link or a FIFO was indexed: ${list.segments.map((s) => s.name)}`);
    const started = Date.now();
    for (const name of ['20261201T000100.000000Z.mp4', '20261201T000200.000000Z.mp4'])
      assert.equal((await api(`/recordings/private/${name}`)).status, 404, name);
    assert.ok(Date.now() - started < 3000, 'nothing waited on the FIFO');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    // An indexed segment replaced by a link, another by a FIFO, while wscam runs.
    const [first, second] = list.segments;
    rmSync(join(folder, first.name));
    symlinkSync(join(outside, 'secret.mp4'), join(folder, first.name));
    rmSync(join(folder, second.name));
    spawnSync('mkfifo', [join(folder, second.name)]);
    const swapped = Date.now();
    assert.equal((await api(first.url)).status, 404, 'a link put in place of a segment is not followed');
    assert.equal((await api(second.url)).status, 404, 'a FIFO put in place of a segment is not waited on');
    assert.ok(Date.now() - swapped < 3000);
    assert.equal(readFileSync(join(outside, 'secret.mp4')).length, cut.length, 'the file behind the link is untouched');
    assert.equal(readFileSync(join(folder, 'holiday.mp4')).length, cut.length, 'an MP4 of another name is untouched');
    assert.equal(await server.stop(), 0);

    // The stream leaves the config: its recordings stay on disk, served to nobody (its token is gone with it).
    writeFileSync(config, `record_dir = "${dir}"\n[[stream]]\nname = "other"\nsource = "testsrc:?size=160x120&fps=5"\n`);
    server = await startWscam(args);
    for (const path of ['/api/recordings/private', list.segments[2].url]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.match(await res.text(), /no stream named 'private' is configured here/);
    }
    assert.ok(existsSync(join(folder, list.segments[2].name)));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
