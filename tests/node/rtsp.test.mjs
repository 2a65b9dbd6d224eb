// RTSP out (rtsp://HOST:PORT/NAME): the stream's H.264 encode served by GStreamer's RTSP server to
// real players (ffprobe, ffmpeg over TCP and UDP, Frigate's input arguments, GStreamer's rtspsrc), one encoder for
// every reader, the view token as Digest or Basic password or ?token= with the wrong-token brake, 503
// when no encoder is free or the camera is offline, the deadline to play, the per-address cap, a
// reload. When units arrive (pace, latency, a stalled reader): rtsp_timing.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metric, startWscam } from './lib/wscam.mjs';
import { freePort } from './lib/nats.mjs';
import { RtspConnection, readRtsp } from './lib/rtsp_reader.mjs';
import { until } from './lib/wait.mjs';

const start = async (args) => startWscam(['--rtsp-port', String(await freePort()), ...args]);

/** ffprobe's packets of a recorded file: count and pts (s). */
function packets(file) {
  const out = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
    { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map(Number);
}

test('ffprobe sees H.264 at the stream\'s size; ffmpeg records 10 s over TCP and UDP, every frame on a rising timeline, from one encoder', async () => {
  const w = await start(['--stream', 'cam=testsrc:?size=320x240&fps=30']);
  const dir = mkdtempSync(join(tmpdir(), 'wscam-rtsp-'));
  try {
    const list = await (await fetch(`${w.url}/api/streams`)).json();
    assert.equal(list.streams[0].rtsp.url, w.rtspUrl('cam'));

    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', w.rtspUrl('cam')],
      { encoding: 'utf8', timeout: 20000 });
    assert.equal(probe.status, 0, probe.stderr);
    assert.deepEqual(JSON.parse(probe.stdout).streams[0], { codec_name: 'h264', width: 320, height: 240 });

    const record = (transport) => new Promise((resolve) => {
      const file = join(dir, `${transport}.mp4`);
      const ff = spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', transport, '-i', w.rtspUrl('cam'), '-t', '10', '-c', 'copy', '-y', file]);
      let err = '';
      ff.stderr.on('data', (d) => { err += d; });
      ff.on('exit', (code) => resolve({ code, err, file }));
    });
    const both = Promise.all([record('tcp'), record('udp')]);
    await until(async () => await metric(w, 'wscam_rtsp_readers{stream="cam"}') === 2, 'two readers', 10000);
    assert.equal(await metric(w, 'wscam_h264_encoders'), 1, 'both read the one encoder');
    for (const r of await both) {
      assert.equal(r.code, 0, r.err);
      const pts = packets(r.file);
      assert.ok(pts.length >= 290 && pts.length <= 310, `${r.file}: ${pts.length} frames in 10 s at 30 fps`);
      for (let i = 1; i < pts.length; i++) assert.ok(pts[i] > pts[i - 1], `${r.file}: pts rise (${pts[i - 1]} then ${pts[i]})`);
      const gaps = pts.slice(1).map((p, i) => p - pts[i]);
      assert.ok(Math.max(...gaps) < 0.1, `${r.file}: no hole in the capture timeline (largest ${Math.max(...gaps)} s)`);
    }
    await until(async () => await metric(w, 'wscam_rtsp_readers{stream="cam"}') === 0, 'the readers gone', 10000);
    assert.ok(await metric(w, 'wscam_rtsp_bytes_total{stream="cam"}') > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await w.stop(), 0);
  }
});

test('the view token: Digest or Basic password, or ?token=; none gets 401 with both challenges; wrong ones count toward the brake', async () => {
  const w = await start(['--stream', 'cam=testsrc:?size=160x120&fps=10', '--view-token', 'rtsp-s3cret']);
  const probe = (url) => spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url],
    { encoding: 'utf8', timeout: 20000 });
  try {
    const port = w.rtspPort;
    // ffmpeg answers the challenge with Digest (the token never on the wire), the stronger of the two offered.
    assert.equal(probe(`rtsp://viewer:rtsp-s3cret@127.0.0.1:${port}/cam`).stdout.trim(), 'h264');
    await until(() => /rtsp reader peer=127\.0\.0\.1:\d+ stream=cam playing/.test(w.logs()), 'the reader in the log');
    const traced = spawnSync('ffprobe', ['-v', 'trace', `rtsp://viewer:rtsp-s3cret@127.0.0.1:${port}/cam`], { encoding: 'utf8', timeout: 20000 });
    assert.match(traced.stderr, /Authorization: Digest username="viewer", realm="wscam", nonce="[0-9a-f]{32}"/);
    assert.doesNotMatch(traced.stderr, /Authorization: Basic/);
    assert.notEqual(probe(`rtsp://viewer:wrong-one@127.0.0.1:${port}/cam`).status, 0, 'a wrong Digest password is refused');
    assert.equal(probe(`rtsp://127.0.0.1:${port}/cam?token=rtsp-s3cret`).stdout.trim(), 'h264');
    const none = probe(w.rtspUrl('cam'));
    assert.notEqual(none.status, 0);
    assert.match(none.stderr, /401/);
    const c = new RtspConnection('127.0.0.1', port);
    const answer = await c.request('DESCRIBE', w.rtspUrl('cam'));
    assert.equal(answer.status, 401);
    assert.match(answer.headers['www-authenticate'], /^Digest realm="wscam", nonce="[0-9a-f]{32}"\nBasic realm="wscam"$/);
    assert.match(answer.body, /view token/);
    // Basic, as a tool without Digest sends it (any user name; the token is the password).
    const basic = await c.request('DESCRIBE', w.rtspUrl('cam'), { Authorization: `Basic ${Buffer.from('any:rtsp-s3cret').toString('base64')}` });
    assert.equal(basic.status, 200);
    // A token opens the stream for the connection: SETUP and PLAY come without it (from the Content-Base).
    const opened = await c.request('DESCRIBE', `${w.rtspUrl('cam')}?token=rtsp-s3cret`);
    assert.equal(opened.status, 200);
    assert.doesNotMatch(opened.headers['content-base'], /token/);
    c.close();
    assert.doesNotMatch(w.logs(), /rtsp-s3cret/, 'never a token in the log');

    // The wrong Digest password above was one guess; nine more make ten in a minute: the brake.
    for (let i = 0; i < 9; i++) {
      const c2 = new RtspConnection('127.0.0.1', port);
      assert.equal((await c2.request('DESCRIBE', `${w.rtspUrl('cam')}?token=guess${i}`)).status, 401);
      c2.close();
    }
    // Blocked now: even the right token is refused, over RTSP and over HTTP alike.
    const c3 = new RtspConnection('127.0.0.1', port);
    const blocked = await c3.request('DESCRIBE', `${w.rtspUrl('cam')}?token=rtsp-s3cret`);
    c3.close();
    assert.equal(blocked.status, 403);
    assert.match(blocked.body, /wrong tokens/);
    assert.equal((await fetch(`${w.url}/api/streams?token=rtsp-s3cret`)).status, 429);
    await until(() => /token guessing from 127\.0\.0\.1 .*rtsp/.test(w.logs()), 'the block in the log');
  } finally {
    assert.equal(await w.stop(), 0);
  }
});

test('503 with the reason when no encoder is free, when the camera is offline, and when H.264 is off', async () => {
  const w = await start(['--stream', 'a=testsrc:?size=160x120&fps=10', '--stream', 'b=testsrc:?size=160x120&fps=10', '--stream', 'p=push:',
    '--h264-max-streams', '1']);
  const off = await start(['--stream', 'a=testsrc:?size=160x120&fps=10', '--h264-max-streams', '0']);
  try {
    const a = await readRtsp(w.rtspUrl('a'));
    assert.equal(a.status, 200);
    const c = new RtspConnection('127.0.0.1', w.rtspPort);
    const full = await c.request('DESCRIBE', w.rtspUrl('b'));
    assert.equal(full.status, 503);
    assert.match(full.body, /--h264-max-streams/);
    // A camera that sends nothing is said at once (the media would wait 20 s for a picture).
    const t0 = Date.now();
    const offline = await c.request('DESCRIBE', w.rtspUrl('p'));
    assert.equal(offline.status, 503);
    assert.match(offline.body, /the camera is offline/);
    assert.ok(Date.now() - t0 < 2000);
    c.close();
    a.close();
    const c2 = new RtspConnection('127.0.0.1', off.rtspPort);
    const none = await c2.request('DESCRIBE', off.rtspUrl('a'));
    assert.equal(none.status, 503);
    assert.match(none.body, /H\.264 is off/);
    const missing = await c2.request('DESCRIBE', off.rtspUrl('nope'));
    assert.equal(missing.status, 404);
    c2.close();
    // SETUP without DESCRIBE is refused the same way, and leaves no reader behind.
    const c3 = new RtspConnection('127.0.0.1', w.rtspPort);
    const setup = await c3.request('SETUP', `${w.rtspUrl('b')}/stream=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    assert.equal(setup.status, 503);
    c3.close();
    assert.equal(await metric(w, 'wscam_rtsp_readers{stream="b"}'), 0);
  } finally {
    assert.equal(await w.stop(), 0);
    assert.equal(await off.stop(), 0);
  }
});

test('a connection that does not play within --header-timeout is closed, also after TEARDOWN, without a spinning thread; the per-address cap holds', async () => {
  const w = await start(['--stream', 'cam=testsrc:?size=160x120&fps=10', '--header-timeout', '2', '--max-connections-per-ip', '3']);
  try {
    const t0 = Date.now();
    const garbage = net.connect(w.rtspPort, '127.0.0.1');
    garbage.on('error', () => {});
    garbage.write('GET / HTTP/1.1\r\nHost: x\r\nX-Endless: ');
    const idle = new RtspConnection('127.0.0.1', w.rtspPort);
    const setupOnly = new RtspConnection('127.0.0.1', w.rtspPort);
    const d = await setupOnly.request('DESCRIBE', w.rtspUrl('cam'));
    assert.equal(d.status, 200);
    // The cap: a fourth connection from this address is refused at once.
    const fourth = new RtspConnection('127.0.0.1', w.rtspPort);
    await fourth.closed;
    assert.ok(Date.now() - t0 < 1500, 'the fourth was closed at once');
    await Promise.all([new Promise((r) => garbage.once('close', r)), idle.closed, setupOnly.closed]);
    const took = Date.now() - t0;
    assert.ok(took >= 1800 && took < 4500, `closed within the deadline (${took} ms)`);
    assert.match(w.logs(), /did not play within 2 s/);

    // One that played and stopped (TEARDOWN) goes too; and closing a connection while its client
    // keeps asking must not leave a thread spinning on it (a review saw 100 % CPU and a GLib warning a turn).
    const r = await readRtsp(w.rtspUrl('cam'));
    assert.equal(r.status, 200);
    assert.equal((await r.connection.request('GET_PARAMETER', w.rtspUrl('cam'))).status, 200, 'a reader\'s connection answers');
    const chatty = [2, 3, 4, 5, 6, 7].map((n) => new RtspConnection('127.0.0.1', w.rtspPort, `127.0.0.${n}`));
    const asked = chatty.map(() => 0);
    chatty.forEach(async (c, i) => { while ((await c.request('OPTIONS', w.rtspUrl('cam'))).status === 200) asked[i]++; });
    await Promise.all(chatty.map((c) => c.closed));
    assert.ok(asked.every((n) => n > 10), `they kept asking (${asked}) until closed by the deadline`);
    await r.connection.request('TEARDOWN', w.rtspUrl('cam'), { Session: '0' });
    r.close();
    await until(async () => await metric(w, 'wscam_rtsp_connections') === 0, 'every connection closed', 8000);
    assert.doesNotMatch(w.logs(), /CRITICAL/, 'no GLib warnings');
  } finally {
    assert.equal(await w.stop(), 0);
  }
});

test('Frigate\'s RTSP input arguments (README) record, and GStreamer\'s rtspsrc decodes it', async () => {
  const w = await start(['--stream', 'cam=testsrc:?size=320x240&fps=15']);
  const dir = mkdtempSync(join(tmpdir(), 'wscam-rtsp-'));
  try {
    // Frigate 0.14's preset-rtsp-generic input and preset-record-generic output, as the README shows them.
    const ff = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-avoid_negative_ts', 'make_zero', '-fflags', '+genpts+discardcorrupt',
      '-rtsp_transport', 'tcp', '-timeout', '5000000', '-use_wallclock_as_timestamps', '1', '-i', w.rtspUrl('cam'),
      '-t', '4', '-f', 'segment', '-segment_time', '10', '-segment_format', 'mp4', '-reset_timestamps', '1', '-strftime', '1',
      '-c', 'copy', '-an', join(dir, 'frigate-%Y%m%d%H%M%S.mp4')], { encoding: 'utf8', timeout: 30000 });
    assert.equal(ff.status, 0, ff.stderr);
    const files = readdirSync(dir).filter((f) => f.startsWith('frigate-'));
    assert.equal(files.length, 1);
    const n = packets(join(dir, files[0])).length;
    assert.ok(n >= 55 && n <= 65, `${n} frames in 4 s at 15 fps`);

    // GStreamer's own RTSP client decodes it (Debian 12's VLC has no RTSP client: live555 is not packaged).
    const gst = spawnSync('gst-launch-1.0', ['-v', 'rtspsrc', `location=${w.rtspUrl('cam')}`, 'latency=0', '!', 'rtph264depay', '!',
      'avdec_h264', '!', 'fakesink', 'num-buffers=30'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(gst.status, 0, gst.stderr);
    assert.match(gst.stdout, /fakesink0\.GstPad:sink: caps = video\/x-raw.*width=\(int\)320, height=\(int\)240/);
    assert.match(gst.stdout, /Got EOS/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await w.stop(), 0);
  }
});

test('a reload: a removed stream\'s readers are closed with the reason, an added stream is served at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-rtsp-'));
  const cfg = join(dir, 'wscam.toml');
  const stream = (name) => `[[stream]]\nname = "${name}"\nsource = "testsrc:?size=160x120&fps=15"\n`;
  writeFileSync(cfg, stream('keep') + stream('gone'));
  const w = await start(['--config', cfg]);
  try {
    const keep = await readRtsp(w.rtspUrl('keep'));
    const gone = await readRtsp(w.rtspUrl('gone'));
    await until(() => keep.units.length >= 15 && gone.units.length >= 15, 'both read');
    writeFileSync(cfg, stream('keep') + stream('added'));
    w.proc.kill('SIGHUP');
    await gone.connection.closed;
    await until(() => /rtsp reader peer=127\.0\.0\.1:\d+ stream=gone cut off: stream 'gone' was removed from the configuration/.test(w.logs()),
      'the reason in the log');
    const added = await readRtsp(w.rtspUrl('added'));
    assert.equal(added.status, 200);
    const before = keep.units.length;
    await until(() => added.units.length >= 15 && keep.units.length >= before + 15, 'the added stream and the kept one read');
    const c = new RtspConnection('127.0.0.1', w.rtspPort);
    assert.equal((await c.request('DESCRIBE', w.rtspUrl('gone'))).status, 404);
    c.close();
    keep.close();
    added.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await w.stop(), 0);
  }
});
