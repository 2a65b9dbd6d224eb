// record = "events" (issue 23): only clips are kept, each with its pre-roll (the seconds before
// its start, held in memory) and post-roll. Until motion events drive them (issue 24), clips are
// started and stopped over the API with the control token. The real binary; ffprobe reads the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { watch } from './lib/cluster_viewer.mjs';
import { captures } from './lib/segments.mjs';
import { sleep, until } from './lib/wait.mjs';


const post = (server, path, headers = { authorization: 'Bearer c' }) => fetch(`${server.url}${path}`, { method: 'POST', headers });

for (const codec of ['mjpeg', 'h264']) {
  test(`${codec} events: nothing is kept until a clip starts; a clip holds its pre-roll, what came until its stop and its post-roll`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wscam-events-'));
    const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=10', '--record', 'events', '--record-codec', codec,
      '--record-preroll', '2', '--record-postroll', '1', '--record-dir', dir, '--view-token', 'v', '--control-token', 'c']);
    try {
      const viewer = watch(`${server.wsUrl}/ws/cam?token=v`);
      await viewer.opened;
      await sleep(3000);  // more than the pre-roll: what is older than it must not be kept
      assert.deepEqual(readdirSync(join(dir, 'cam')).filter((f) => f.endsWith('.mp4')), [], 'no clip, no file');
      const startAt = Date.now() * 1000;
      const started = await post(server, '/api/recordings/cam/clip/start');
      assert.equal(started.status, 200);
      const body = await started.json();
      assert.equal(body.clip, 'started');
      assert.ok(body.until * 1e6 > startAt + 500e6, 'a clip never stopped ends by itself, ten minutes on');
      // (The log line comes through a pipe: it may arrive after the answer.)
      await until(() => /stream=cam recording: a clip started \(2 s before it kept\)/.test(server.logs()), 'the clip\'s start is logged');
      await sleep(3000);
      const stopAt = Date.now() * 1000;
      const stopped = await (await post(server, '/api/recordings/cam/clip/stop')).json();
      assert.equal(stopped.clip, 'stopping');
      assert.ok(Math.abs(stopped.until * 1e6 - (stopAt + 1e6)) < 200e3, `post-roll to ${stopped.until}`);
      await until(() => /stream=cam recording: a clip ended/.test(server.logs()), 'the clip ends after its post-roll');
      await sleep(1500);  // and nothing more is kept

      const files = readdirSync(join(dir, 'cam')).filter((f) => f.endsWith('.mp4'));
      assert.equal(files.length, 1, `one clip, one segment: ${files}`);
      const times = captures(join(dir, 'cam', files[0]), files[0]);
      // H.264's pre-roll starts at a keyframe at or before 2 s back (the encoder makes one every 4 s at most).
      const preroll = startAt - times[0];
      if (codec === 'mjpeg') assert.ok(preroll > 1.7e6 && preroll < 2.3e6, `the clip starts ${preroll} µs before its start`);
      else assert.ok(preroll > 1.7e6 && preroll < 6.3e6, `the clip starts ${preroll} µs before its start (at a keyframe)`);
      const postroll = times[times.length - 1] - stopAt;
      assert.ok(postroll > 0.7e6 && postroll < 1.3e6, `it ends ${postroll} µs after the stop`);
      // Every picture the camera sent in that time, in order, none twice.
      const sent = viewer.frames.map((f) => f.capture).filter((t) => t >= times[0] && t <= times[times.length - 1]);
      assert.deepEqual(times, sent, 'the clip holds what the camera sent from its first picture to its last');

      // Listed like any recording.
      const list = await (await fetch(`${server.url}/api/recordings/cam?token=v`)).json();
      assert.deepEqual(list.segments.map((s) => s.name), files);
      assert.equal(list.segments[0].writing, false, 'the clip\'s segment closed when the clip ended');
      viewer.ws.close();
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('clips need the control token, a POST from this site, and a stream recorded as events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-events-'));
  const server = await startWscam(['--stream', 'ev=testsrc:?size=160x120', '--stream', 'all=testsrc:?size=160x120',
    '--record', 'events', '--record-dir', dir, '--record-codec', 'mjpeg', '--view-token', 'v', '--control-token', 'c',
  ]);
  try {
    assert.equal((await post(server, '/api/recordings/ev/clip/start', {})).status, 401);
    assert.equal((await post(server, '/api/recordings/ev/clip/start', { authorization: 'Bearer v' })).status, 401, 'the view token starts nothing');
    const foreign = await post(server, '/api/recordings/ev/clip/start', { authorization: 'Bearer c', origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match(await foreign.text(), /may not start or stop recording clips/);
    const get = await fetch(`${server.url}/api/recordings/ev/clip/start?token=c`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal((await post(server, '/api/recordings/nosuch/clip/start')).status, 404);
    assert.equal((await post(server, '/api/recordings/ev/clip/stop', { authorization: 'Bearer c', origin: server.url })).status, 200);
    assert.doesNotMatch(server.logs(), /a clip started/, 'a stop starts nothing');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // A stream recorded continuously has no clips.
  const dir2 = mkdtempSync(join(tmpdir(), 'wscam-events-'));
  const continuous = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--record', 'continuous', '--record-codec', 'mjpeg',
    '--record-dir', dir2, '--control-token', 'c']);
  try {
    const res = await post(continuous, '/api/recordings/cam/clip/start');
    assert.equal(res.status, 409);
    assert.match(await res.text(), /not recorded as events here/);
  } finally {
    await continuous.stop();
    rmSync(dir2, { recursive: true, force: true });
  }
});
