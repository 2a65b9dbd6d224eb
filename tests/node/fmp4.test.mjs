// H.264 as fMP4 for Media Source Extensions (?codec=fmp4): a keyframe segment with the init segment
// in front first, one media segment per access unit on the capture timeline, read back by Debian's
// ffprobe and ffmpeg; the same encoder as the WebCodecs viewers; a slow link's move to the reduced
// rendition starts a new init segment on the same timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import WebSocket from 'ws';
import { watch } from './lib/ws_viewer.mjs';
import { until, sleep } from './lib/wait.mjs';
import { slowLink } from './lib/slow_link.mjs';

/** The top-level MP4 boxes of a buffer, by type. */
function boxes(buf) {
  const types = [];
  for (let at = 0; at + 8 <= buf.length;) {
    const size = buf.readUInt32BE(at);
    if (size < 8 || at + size > buf.length) return [...types, 'broken'];
    types.push(buf.toString('latin1', at + 4, at + 8));
    at += size;
  }
  return types;
}

/** What ffprobe and ffmpeg read from the segments appended in order, as a SourceBuffer gets them. */
function readBack(segments) {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-fmp4-'));
  try {
    const file = join(dir, 'live.mp4');
    writeFileSync(file, Buffer.concat(segments));
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries',
      'stream=codec_name,width,height,time_base:packet=pts,flags', '-of', 'json', file], { encoding: 'utf8' }));
    let errors = '';
    let frames = 0;
    try {
      const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'framemd5', '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      frames = out.split('\n').filter((l) => l && !l.startsWith('#')).length;
    } catch (e) { errors = String(e.stderr ?? e); }
    return { ...probe, frames, errors };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

const metric = async (server, name) => Number((await (await fetch(`${server.url}/metrics`)).text())
  .match(new RegExp(`^${name} (\\d+)$`, 'm'))[1]);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

test('?codec=fmp4: the init segment and a keyframe first, then a media segment per unit on the capture timeline, as soon as the unit', async () => {
  const w = await startWscam(['--source', 'testsrc:?size=320x240&fps=30']);
  try {
    const m = watch(`${w.wsUrl}/ws?codec=fmp4`);
    const h = watch(`${w.wsUrl}/ws?codec=h264`);
    const plain = watch(`${w.wsUrl}/ws?codec=fmp4`, []);  // no wscam.v1: JPEG, whatever it asks
    await until(() => m.frames.length >= 90 && h.frames.length >= 90 && plain.frames.length >= 30, '3 s of segments', 20000);

    const hello = m.texts.find((t) => t.type === 'hello');
    assert.equal(hello.codec, 'fmp4');
    assert.match(hello.codec_string, /^avc1\.42C0[0-9A-F]{2}$/);
    assert.ok(plain.frames.every((f) => f.payload[0] === 0xff && f.payload[1] === 0xd8), 'a plain client gets JPEGs');

    const first = m.frames[0];
    assert.equal(first.type, 3);
    assert.ok(first.key, 'the first segment is a keyframe');
    assert.deepEqual(boxes(first.payload), ['ftyp', 'moov', 'moof', 'mdat'], 'a keyframe brings its init segment');
    for (const f of m.frames.slice(1)) {
      assert.equal(f.type, 3);
      assert.deepEqual(boxes(f.payload), f.key ? ['ftyp', 'moov', 'moof', 'mdat'] : ['moof', 'mdat']);
      assert.deepEqual([f.width, f.height], [320, 240]);
    }
    const avcC = first.payload.indexOf('avcC');
    assert.equal(`avc1.${first.payload.subarray(avcC + 5, avcC + 8).toString('hex').toUpperCase()}`, hello.codec_string,
      'the init segment\'s avcC is the codec hello names');

    // Read back as one file: every unit there, at its capture time (a 1 MHz clock from the epoch).
    const back = readBack(m.frames.map((f) => f.payload));
    assert.equal(back.streams[0].codec_name, 'h264');
    assert.deepEqual([back.streams[0].width, back.streams[0].height], [320, 240]);
    assert.equal(back.streams[0].time_base, '1/1000000');
    assert.equal(back.packets.length, m.frames.length);
    m.frames.forEach((f, i) => assert.equal(Number(back.packets[i].pts), f.capture, `segment ${i} at its capture time`));
    assert.equal(back.errors, '', 'ffmpeg decodes it without a complaint');
    assert.equal(back.frames, m.frames.length, 'one picture per segment');

    // The same encode as the WebCodecs viewer's: the same units under the same numbers, one encoder.
    const bySeq = new Map(h.frames.map((f) => [f.seq, f]));
    const shared = m.frames.filter((f) => bySeq.has(f.seq));
    assert.ok(shared.length >= 60, `${shared.length} units seen by both`);
    for (const f of shared) assert.equal(f.capture, bySeq.get(f.seq).capture);
    assert.equal(await metric(w, 'wscam_h264_encoders'), 1, 'one encoder for both viewers');
    assert.equal(await metric(w, 'wscam_h264_viewers'), 2);

    // Time: packaging adds nothing a viewer could see. Segments come at the camera's pace, and
    // within a few ms of the same unit in Annex B.
    const gaps = m.frames.slice(1).map((f, i) => f.at - m.frames[i].at);
    assert.ok(median(gaps) < 45, `median gap ${median(gaps).toFixed(1)} ms at 30 fps`);
    const lateBy = shared.map((f) => f.at - bySeq.get(f.seq).at);
    console.log(`fMP4 segments arrive ${median(lateBy).toFixed(2)} ms (median) after the same Annex B unit`);
    assert.ok(median(lateBy) < 5, `fMP4 segments arrive ${median(lateBy).toFixed(1)} ms after the same unit`);

    for (const v of [m, h, plain]) v.ws.close();
    await until(() => /h264 encoder stopped stream=default rendition=full/.test(w.logs()), 'the encoder ends once its viewers left', 5000);
    assert.match(w.logs(), /viewer open stream=default peer=\S+ path=\/ws protocol=wscam\.v1 codec=fmp4/);
    assert.match(w.logs(), /viewer closed stream=default peer=\S+ codec=fmp4 rendition=full frames=\d+/);
  } finally {
    await w.stop();
  }
});

test('an fMP4 viewer on a slow link moves to the reduced rendition: a new init segment of the smaller size, the same timeline', async () => {
  const w = await startWscam(['--source', 'testsrc:?size=1280x720&fps=30&noise=10', '--send-lowat', '16384', '--h264-keyint', '60']);
  const link = await slowLink(w.port, { kbps: 1000 });
  try {
    const slow = watch(`ws://127.0.0.1:${link.port}/ws?codec=fmp4`);
    await until(() => /viewer h264 rendition=reduced/.test(w.logs()), 'the slow viewer moved', 20000);
    await until(() => slow.frames.some((f) => f.width === 640), 'a segment of the reduced rendition', 20000);
    await sleep(1000);
    slow.ws.close();
    const moved = slow.frames.findIndex((f) => f.width === 640);
    const at = slow.frames[moved];
    assert.ok(at.key, 'the move starts at a keyframe');
    assert.deepEqual(boxes(at.payload), ['ftyp', 'moov', 'moof', 'mdat'], 'with the init segment of the new size');
    assert.deepEqual([at.width, at.height], [640, 360]);
    for (let i = 1; i < slow.frames.length; i++) {
      assert.ok(slow.frames[i].capture > slow.frames[i - 1].capture, 'one timeline across the move');
    }
    // From the move on, what it got reads back as a 640x360 track at the capture times.
    const after = slow.frames.slice(moved);
    const back = readBack(after.map((f) => f.payload));
    assert.deepEqual([back.streams[0].width, back.streams[0].height], [640, 360]);
    after.forEach((f, i) => assert.equal(Number(back.packets[i].pts), f.capture));
    assert.equal(back.errors, '');
  } finally {
    link.close();
    await w.stop();
  }
});

test('an fMP4 viewer asking for a keyframe gets one with its init segment; with H.264 off it gets JPEG and hello says why', async () => {
  const w = await startWscam(['--source', 'testsrc:?size=320x240&fps=30', '--h264-keyint', '60']);
  const off = await startWscam(['--source', 'testsrc:?size=320x240&fps=30', '--h264-max-streams', '0']);
  try {
    const m = watch(`${w.wsUrl}/ws?codec=fmp4`);
    await until(() => m.frames.length >= 30, 'a second of segments');
    const asked = m.frames.length;
    m.ws.send(JSON.stringify({ type: 'keyframe' }));
    await until(() => m.frames.slice(asked).some((f) => f.key), 'the keyframe asked for', 3000);
    const key = m.frames.slice(asked).find((f) => f.key);
    assert.deepEqual(boxes(key.payload), ['ftyp', 'moov', 'moof', 'mdat']);
    m.ws.close();

    const j = watch(`${off.wsUrl}/ws?codec=fmp4`);
    await until(() => j.frames.length >= 3, 'JPEG frames');
    const hello = j.texts.find((t) => t.type === 'hello');
    assert.equal(hello.codec, 'jpeg');
    assert.match(hello.codec_note, /H\.264 is off on this server/);
    assert.ok(j.frames.every((f) => f.type === 1));
    j.ws.close();
  } finally {
    await w.stop();
    await off.stop();
  }
});

test('a viewer that resumes after a pause gets the present first, not the picture from before the pause (both H.264 forms)', async () => {
  const w = await startWscam(['--source', 'testsrc:?size=320x240&fps=30']);
  try {
    for (const codec of ['fmp4', 'h264']) {
      const v = watch(`${w.wsUrl}/ws?codec=${codec}`);
      await until(() => v.frames.length >= 30, 'a second of units');
      v.ws.send(JSON.stringify({ type: 'pause' }));
      await sleep(2500);  // the encoder stops 1 s after its last viewer paused; the camera idles
      const paused = v.frames.length;
      const resumedAt = performance.timeOrigin + performance.now();  // ms since the epoch (one clock: this machine)
      v.ws.send(JSON.stringify({ type: 'resume' }));
      await until(() => v.frames.length >= paused + 10, 'units after the resume', 5000);
      const first = v.frames[paused];
      assert.ok(first.key, `${codec}: a keyframe first`);
      const age = resumedAt - first.capture / 1000;
      assert.ok(age < 300, `${codec}: the first picture after the resume was captured ${age.toFixed(0)} ms before it`);
      v.ws.close();
    }
  } finally {
    await w.stop();
  }
});

test('a viewer joining a rendition whose encoder stopped on a keyframe is not started with that old keyframe', async () => {
  // At 1 picture a second the first viewer's only unit is the keyframe it started with; it leaves,
  // the encoder stops, and that keyframe stays the newest unit of the rendition for a later viewer.
  const w = await startWscam(['--source', 'testsrc:?size=320x240&fps=1']);
  try {
    for (const codec of ['fmp4', 'h264']) {
      const a = watch(`${w.wsUrl}/ws?codec=${codec}`);
      await until(() => a.frames.length >= 1, 'the first viewer\'s keyframe', 5000);
      a.ws.close();
      await sleep(3000);
      const joinedAt = performance.timeOrigin + performance.now();
      const b = watch(`${w.wsUrl}/ws?codec=${codec}`);
      await until(() => b.frames.length >= 1, 'the second viewer\'s first unit', 5000);
      const age = joinedAt - b.frames[0].capture / 1000;
      assert.ok(age < 1500, `${codec}: the second viewer's first picture was captured ${age.toFixed(0)} ms before it joined`);
      b.ws.close();
    }
  } finally {
    await w.stop();
  }
});

test('an fMP4 viewer joining an encoder that runs for others gets a keyframe within half a second, not at the periodic one', async () => {
  // The review's case: with --h264-keyint 20 the first fMP4 viewer waited 17 s for a picture.
  const w = await startWscam(['--source', 'testsrc:?size=320x240&fps=30', '--h264-keyint', '20']);
  try {
    const h = watch(`${w.wsUrl}/ws?codec=h264`);  // keeps the encoder running
    await until(() => h.frames.length >= 45, 'the H.264 viewer\'s units');
    for (let i = 0; i < 3; i++) {
      const joined = performance.now();
      const m = watch(`${w.wsUrl}/ws?codec=fmp4`);
      await until(() => m.frames.length >= 1, 'the fMP4 viewer\'s first segment', 25000);
      const waited = m.frames[0].at - joined;
      assert.ok(m.frames[0].key, 'a keyframe');
      assert.ok(waited < 700, `the fMP4 viewer's first segment came ${waited.toFixed(0)} ms after it joined`);
      m.ws.close();
      await sleep(1500);  // nobody watches fMP4 now: the packaging waits for a keyframe again
    }
    h.ws.close();
  } finally {
    await w.stop();
  }
});

test('a camera whose pictures x264 cannot take (65000x16) does not flood the log: wscam says why, at most every 10 s', async () => {
  const w = await startWscam(['--stream', 'cam=push:', '--publish-token', 'pub']);
  const wide = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=65000x16', '-frames:v', '1', '-f', 'mjpeg', '-']);
  const publisher = new WebSocket(`${w.wsUrl}/publish/cam?token=pub`);
  let timer;
  try {
    await new Promise((r, j) => { publisher.once('open', r); publisher.once('error', j); });
    const v = watch(`${w.wsUrl}/ws/cam?codec=fmp4`);
    await v.opened;
    timer = setInterval(() => publisher.send(wide), 10);  // 100 pictures a second
    await sleep(3000);
    clearInterval(timer);
    const logs = w.logs();
    assert.doesNotMatch(logs, /x264 \[error\]/, 'x264 prints nothing itself');
    const said = logs.match(/h264 stream=cam: x264 could not open an encoder for 65000x16 \(x264: [^)]+\)/g) ?? [];
    assert.ok(said.length >= 1 && said.length <= 2, `wscam's own line, with x264's reason, ${said.length} times in 3 s:\n${logs.slice(-2000)}`);
    v.ws.close();
  } finally {
    clearInterval(timer);
    publisher.close();
    await w.stop();
  }
});
