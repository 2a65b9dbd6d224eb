// Motion events (issue 24), against the real binary: ffmpeg draws the scenes (lib/motion_scenes.mjs),
// wscam looks at them, and what it says is checked where users read it: /api/events, the snapshot,
// the viewers' `event` message, /api/streams, and the clips of an events recording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { watch } from './lib/cluster_viewer.mjs';
import { crossing, lightSwitch, noise, ramp } from './lib/motion_scenes.mjs';
import { captures } from './lib/segments.mjs';
import { sleep, until } from './lib/wait.mjs';

const events = async (server, stream, query = '') => {
  const res = await fetch(`${server.url}/api/events/${stream}${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).events;
};

/** Where the white square is in a JPEG: its box in fractions of the picture (ffmpeg decodes it to grey). */
function whiteBox(jpeg) {
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { input: jpeg, maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, String(r.stderr));
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', '-'], { input: jpeg });
  const [w, h] = String(probe.stdout).trim().split(',').map(Number);
  let left = w, top = h, right = -1, bottom = -1;
  for (let y = 0; y < h; ++y)
    for (let x = 0; x < w; ++x)
      if (r.stdout[y * w + x] > 200) { left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y); }
  if (right < 0) return null;
  return { x: left / w, y: top / h, w: (right - left + 1) / w, h: (bottom - top + 1) / h };
}

test('a square crossing the picture makes one event per crossing, with its box and a snapshot showing it; noise, a slow ramp and a light switch make none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-motion-'));
  const scene = crossing({ seconds: 3, period: 6, size: 32, y: 100 });
  const server = await startWscam(['--stream', `cross=${scene.uri}`, '--stream', `noise=${noise()}`, '--stream', `ramp=${ramp()}`,
    '--stream', `light=${lightSwitch({ at: 4, off: 9 })}`, '--motion', '--motion-cooldown', '1.5s', '--record-dir', dir]);
  try {
    const viewer = watch(`${server.wsUrl}/ws/cross`);
    await viewer.opened;
    const arrived = [];
    viewer.ws.on('message', (data, binary) => { if (!binary) arrived.push({ at: Date.now() * 1000, text: JSON.parse(data.toString()) }); });
    // A viewer who comes while an event goes on is told of it right after its hello.
    await until(() => arrived.some((a) => a.text.type === 'event' && a.text.state === 'start'), 'the first start', 15000);
    const late = watch(`${server.wsUrl}/ws/cross`);
    await until(() => late.texts.length >= 2, 'the late viewer\'s hello and what follows');
    assert.equal(late.texts[0].type, 'hello');
    assert.equal(late.texts[1].type, 'event', 'the event going on comes right after the hello');
    assert.equal(late.texts[1].state, 'start');
    assert.equal(late.texts[1].event.id, arrived.find((a) => a.text.type === 'event').text.event.id);
    late.ws.close();
    // Three crossings (at 3-6 s, 9-12 s, 15-18 s of the scene), each ended 1.5 s after it.
    await until(async () => (await events(server, 'cross')).filter((e) => e.end_us).length >= 3, 'three crossings, ended', 30000);
    await sleep(1000);
    const found = (await events(server, 'cross')).reverse();  // oldest first
    assert.equal(found.length, 3, `one event per crossing: ${JSON.stringify(found)}`);
    for (const [i, e] of found.entries()) {
      assert.equal(e.kind, 'motion');
      assert.equal(e.stream, 'cross');
      assert.equal(e.id, e.start_us);
      const lasted = (e.end_us - e.start_us) / 1e6;
      assert.ok(lasted > 2.4 && lasted < 3.2, `a 3 s crossing lasts ${lasted} s`);
      if (i > 0) {
        const apart = (e.start_us - found[i - 1].start_us) / 1e6;
        assert.ok(Math.abs(apart - scene.period) < 0.35, `crossings start ${scene.period} s apart, not ${apart}`);
      }
      // The box is where ffmpeg drew the square: its row exactly, and around the square in the snapshot.
      assert.ok(Math.abs(e.box.y - scene.y / scene.h) < 0.03 && Math.abs(e.box.h - scene.size / scene.h) < 0.04,
        `box ${JSON.stringify(e.box)} at the square's row`);
      assert.equal(e.width, 320);
      assert.equal(e.height, 240);
      const snap = await fetch(`${server.url}${e.snapshot}`);
      assert.equal(snap.status, 200);
      assert.equal(snap.headers.get('content-type'), 'image/jpeg');
      assert.equal(Date.parse(snap.headers.get('x-capture-time')) * 1000, Math.floor(e.peak_us / 1000) * 1000);
      const square = whiteBox(Buffer.from(await snap.arrayBuffer()));
      assert.ok(square, 'the snapshot shows the square');
      const slack = 0.04;
      assert.ok(square.x >= e.box.x - slack && square.x + square.w <= e.box.x + e.box.w + slack &&
        square.y >= e.box.y - slack && square.y + square.h <= e.box.y + e.box.h + slack,
      `the square in the snapshot ${JSON.stringify(square)} lies in the event's box ${JSON.stringify(e.box)}`);
    }
    // The viewer was told each start and end, in order, and the start soon after the motion began
    // (of these three: a fourth crossing may have begun meanwhile, 6 s after the third).
    const ids = new Set(found.map((e) => e.id));
    const told = arrived.filter((a) => a.text.type === 'event' && ids.has(a.text.event.id));
    assert.deepEqual(told.map((a) => `${a.text.state}:${a.text.event.id}`), found.flatMap((e) => [`start:${e.id}`, `end:${e.id}`]));
    for (const a of told.filter((t) => t.text.state === 'start')) {
      const late = (a.at - a.text.event.start_us) / 1000;
      assert.ok(late < 1500, `the start reached the viewer ${late} ms after the first picture with motion`);
    }
    assert.equal(told.at(-1).text.event.end_us, found.at(-1).end_us);

    // Noise, a slow ramp and a light switched on and off: looked at, and no event.
    const list = (await (await fetch(`${server.url}/api/streams`)).json()).streams;
    for (const name of ['noise', 'ramp', 'light']) {
      assert.deepEqual(await events(server, name), [], `${name}: no event`);
      const s = list.find((x) => x.name === name);
      assert.ok(s.motion.pictures > 100, `${name} was looked at: ${JSON.stringify(s.motion)}`);
      assert.equal(s.motion.events, 0);
    }
    // The counters say what the list says (read after them: a fourth crossing may have begun meanwhile).
    const counted = list.find((x) => x.name === 'cross').motion.events;
    const listed = (await events(server, 'cross')).length;
    assert.ok(counted >= found.length && counted <= listed, `counted ${counted}, listed ${listed}`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const total = Number(metrics.match(/wscam_motion_events_total\{stream="cross"\} (\d+)/)?.[1]);
    assert.ok(total >= counted && total <= listed + 1, `wscam_motion_events_total ${total}`);
    viewer.ws.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});


test('record = "events" keeps a clip of each event, from its pre-roll before the motion began to its post-roll after it ended', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-motion-'));
  const scene = crossing({ seconds: 2, period: 6, size: 48, y: 60 });
  const config = join(dir, 'wscam.toml');
  writeFileSync(config, `[[stream]]\nname = "door"\nsource = ${JSON.stringify(scene.uri)}\nrecord = "events"\nrecord_codec = "mjpeg"\n` +
    'motion = true\nmotion_cooldown = "1s"\n');
  const server = await startWscam(['--config', config, '--record-dir', dir, '--record-preroll', '2', '--record-postroll', '1']);
  try {
    await until(async () => (await events(server, 'door')).some((e) => e.end_us), 'the first crossing ended', 20000);
    const [e] = await events(server, 'door');
    await until(() => /stream=door recording: a clip ended/.test(server.logs()), 'its clip ends after the post-roll', 8000);
    const files = readdirSync(join(dir, 'door')).filter((f) => f.endsWith('.mp4'));
    assert.equal(files.length, 1, `one event, one clip: ${files}`);
    const times = captures(join(dir, 'door', files[0]), files[0]);
    const before = (e.start_us - times[0]) / 1e6;
    // The pre-roll is the 2 s before the newest picture when the clip starts (the start's notice,
    // one picture after the motion began): a picture or two either way.
    assert.ok(before > 1.6 && before < 2.4, `the clip starts ${before} s before the motion (2 s pre-roll, counted from the start's notice)`);
    const after = (times.at(-1) - e.end_us) / 1e6;
    // The clip stops when the event ends (its last motion + the 1 s cooldown), then keeps 1 s more.
    assert.ok(after > 1.7 && after < 2.4, `the clip ends ${after} s after the last motion`);
    assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]), 'in order, none twice');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a camera that is offline makes no events and says so; one that flaps makes none either', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-motion-'));
  // A still scene that ends after 1.5 s; the exec source starts it again after a backoff, and again.
  const flapping = noise({ strength: 4 }).replace(' -q:v 5', ' -t 1.5 -q:v 5');
  const server = await startWscam(['--stream', `flap=${flapping}`, '--motion', '--record-dir', dir, '--reconnect-delay', '0.3',
    '--reconnect-max', '0.6']);
  try {
    await until(() => (server.logs().match(/stream=flap motion detection paused: the camera is offline/g) || []).length >= 3,
      'detection pauses each time the camera goes', 20000);
    const s = (await (await fetch(`${server.url}/api/streams`)).json()).streams[0];
    assert.equal(s.motion.events, 0, 'no event from a camera coming and going');
    assert.ok(s.motion.pictures > 10);
    assert.deepEqual(await events(server, 'flap'), []);
    await until(async () => (await (await fetch(`${server.url}/api/streams`)).json()).streams[0].motion.state === 'offline',
      'the state says offline while it is', 10000);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/api/events needs the view token, checks its query, and says when no events are kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-motion-'));
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--stream', 'plain=testsrc:?size=160x120', '--view-token', 'v',
    '--record-dir', dir]);
  try {
    assert.equal((await fetch(`${server.url}/api/events/cam`)).status, 401);
    const none = await fetch(`${server.url}/api/events/cam?token=v`);
    assert.equal(none.status, 200, 'no events kept: none to list (a 404 would be an error in every viewer page\'s console)');
    const empty = await none.json();
    assert.deepEqual([empty.events, empty.kept], [[], false]);
    assert.equal((await fetch(`${server.url}/api/events/cam/123.jpg?token=v`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/events/nope?token=v`)).status, 404);
  } finally {
    await server.stop();
  }
  const again = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--motion', '--view-token', 'v', '--record-dir', dir]);
  try {
    const ok = await fetch(`${again.url}/api/events/cam?token=v&from=0&limit=5`);
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.deepEqual(body.events, []);
    assert.equal(body.more, false);
    assert.equal(body.kept, true);
    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'from=yesterday', 'from=10&to=5'])
      assert.equal((await fetch(`${again.url}/api/events/cam?token=v&${bad}`)).status, 400, bad);
    assert.equal((await fetch(`${again.url}/api/events/cam/123.jpg?token=v`)).status, 404);
    assert.equal((await fetch(`${again.url}/api/events/cam/123.jpg`)).status, 401);
  } finally {
    await again.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reload turns detection on and off, and a changed stream starts it again with its new settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-motion-'));
  const config = join(dir, 'wscam.toml');
  const scene = crossing({ seconds: 1.5, period: 4 });
  const write = (motion) => writeFileSync(config, `[[stream]]\nname = "cam"\nsource = ${JSON.stringify(scene.uri)}\n${motion}`);
  write('');
  const server = await startWscam(['--config', config, '--record-dir', dir]);
  try {
    const list = async () => (await (await fetch(`${server.url}/api/streams`)).json()).streams[0];
    assert.equal((await list()).motion, undefined, 'no detection, no motion state');
    write('motion = true\nmotion_cooldown = "1s"\n');
    server.proc.kill('SIGHUP');
    await until(() => /stream=cam motion detection on \(threshold 25, min area 0.005, cooldown 1000 ms/.test(server.logs()), 'on after the reload');
    await until(async () => (await events(server, 'cam')).length >= 1, 'an event', 15000);
    write('motion = true\nmotion_cooldown = "1s"\nmotion_threshold = 60\n');
    server.proc.kill('SIGHUP');
    await until(() => /stream=cam motion detection on \(threshold 60/.test(server.logs()), 'again with the new threshold');
    write('');
    server.proc.kill('SIGHUP');
    await until(async () => (await list()).motion === undefined, 'off after the last reload');
    assert.match(server.logs(), /stream=cam motion detection off/);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
