// Recording (issue 23): the real binary records a stream into fragmented MP4 segments, and
// Debian's ffprobe and ffmpeg read them back: the codec, every picture at the capture time the
// live viewers were told, the camera's JPEGs bit for bit, H.264 segments starting at keyframes
// with one encoder shared with live H.264 viewers, a segment readable while it is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { watch } from './lib/cluster_viewer.mjs';
import { sleep, until } from './lib/wait.mjs';

const ffprobe = (file, entries) => {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', entries, '-of', 'json', file],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffprobe ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

/** A segment's start from its name (20261207T063000.123456Z.mp4), in microseconds since the epoch. */
function startOf(name) {
  const m = name.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{6})Z(-\d+)?\.mp4$/);
  assert.ok(m, `segment name ${name}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) * 1000 + Number(m[7]);
}

/** Every segment of a stream folder: its codec, size and pictures (absolute capture time, size, keyframe). */
function segments(folder) {
  return readdirSync(folder).filter((f) => f.endsWith('.mp4')).sort().map((name) => {
    const file = join(folder, name);
    const info = ffprobe(file, 'stream=codec_name,width,height,time_base:packet=pts,size,flags');
    const [num, den] = info.streams[0].time_base.split('/').map(Number);
    const start = startOf(name);
    return {
      name, file, codec: info.streams[0].codec_name, width: info.streams[0].width, height: info.streams[0].height,
      pictures: info.packets.map((p) => ({ at: start + Math.round(p.pts * num * 1e6 / den), size: Number(p.size), key: p.flags[0] === 'K' })),
    };
  });
}

/** The live viewer's frames whose capture time lies within the recording, each matched to its recorded picture. */
function matchFrames(viewer, segs) {
  const recorded = segs.flatMap((s) => s.pictures);
  const first = recorded[0].at, last = recorded[recorded.length - 1].at;
  const live = viewer.frames.filter((f) => f.capture >= first && f.capture <= last);
  return { recorded, live, matched: live.map((f) => ({ f, r: recorded.find((r) => Math.abs(r.at - f.capture) <= 12) })) };
}

test('a JPEG recording keeps every picture at its capture time, bit for bit, and plays while written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-record-'));
  const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=10', '--record', 'continuous',
    '--record-codec', 'mjpeg', '--record-dir', dir, '--record-segment', '5']);
  try {
    assert.match(server.logs(), /stream=cam recording to .*cam \(mjpeg, 5 s segments\)/);
    await until(() => /source capturing/.test(server.logs()), 'a recorded stream captures with nobody watching');
    const viewer = watch(`${server.wsUrl}/ws/cam`);
    await viewer.opened;
    await sleep(7500);
    // The segment being written: every fragment but the newest is in the file, and ffmpeg decodes it.
    const open = readdirSync(join(dir, 'cam')).sort().pop();
    const partial = ffprobe(join(dir, 'cam', open), 'packet=pts').packets.length;
    assert.ok(partial >= 10, `the open segment already holds ${partial} pictures`);
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', join(dir, 'cam', open), '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decode.status, 0, decode.stderr);
    assert.equal(decode.stderr, '', 'decoded without a complaint');
    assert.equal(await server.stop(), 0);

    const segs = segments(join(dir, 'cam'));
    assert.ok(segs.length >= 2, `segments: ${segs.map((s) => s.name)}`);
    for (const s of segs) {
      assert.equal(s.codec, 'mjpeg', s.name);
      assert.deepEqual([s.width, s.height], [320, 240]);
      assert.ok(s.pictures.every((p, i) => i === 0 || p.at > s.pictures[i - 1].at), 'times only go forward');
    }
    // Each full segment is 5 s of pictures at 10 fps (cut at the first picture past 5 s).
    for (const s of segs.slice(0, -1)) {
      const span = s.pictures[s.pictures.length - 1].at - s.pictures[0].at;
      assert.ok(span >= 4.8e6 && span <= 5.2e6, `${s.name} spans ${span} µs`);
      assert.ok(s.pictures.length >= 48 && s.pictures.length <= 52, `${s.name}: ${s.pictures.length} pictures`);
    }
    // Segments follow each other without a hole: the next starts one frame after the last ended.
    for (let i = 1; i < segs.length; i++) {
      const gap = segs[i].pictures[0].at - segs[i - 1].pictures[segs[i - 1].pictures.length - 1].at;
      assert.ok(gap > 50e3 && gap < 150e3, `between ${segs[i - 1].name} and ${segs[i].name}: ${gap} µs`);
    }
    const { live, matched } = matchFrames(viewer, segs);
    assert.ok(live.length >= 50, `the live viewer saw ${live.length} frames while recording`);
    const missing = matched.filter((m) => !m.r);
    assert.equal(missing.length, 0, `frames the viewer saw that the recording lacks: ${missing.slice(0, 3).map((m) => m.f.capture)}`);
    for (const { f, r } of matched) assert.equal(r.size, f.jpeg.length, 'the camera\'s JPEG, as it came');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an H.264 recording shares the live encoder, starts each segment at a keyframe, and keeps capture times', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-record-'));
  const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=10', '--record', 'continuous',
    '--record-dir', dir, '--record-segment', '5']);
  try {
    const jpeg = watch(`${server.wsUrl}/ws/cam`);
    const h264 = watch(`${server.wsUrl}/ws/cam?codec=h264`);
    await Promise.all([jpeg.opened, h264.opened]);
    await sleep(8000);
    assert.equal(await server.stop(), 0);
    const started = server.logs().match(/h264 encoder started stream=cam/g) ?? [];
    assert.equal(started.length, 1, 'one encoder for the recording and the live H.264 viewer');
    assert.ok(h264.frames.length >= 40, `the live H.264 viewer got ${h264.frames.length} units`);

    const segs = segments(join(dir, 'cam'));
    assert.ok(segs.length >= 2, `segments: ${segs.map((s) => s.name)}`);
    for (const s of segs) {
      assert.equal(s.codec, 'h264', s.name);
      assert.ok(s.pictures[0].key, `${s.name} starts where a player can`);
    }
    const { live, matched } = matchFrames(jpeg, segs);
    const found = matched.filter((m) => m.r).length;
    // The encoder takes the newest JPEG: under load it may skip one, never invent or shift one.
    assert.ok(found >= live.length * 0.9, `${found} of ${live.length} live frames found in the recording at their capture time`);
    const liveTimes = new Set(jpeg.frames.map((f) => f.capture));
    const recorded = segs.flatMap((s) => s.pictures).filter((p) => p.at > live[0].capture + 12 && p.at < live[live.length - 1].capture - 12);
    const unknown = recorded.filter((p) => ![...liveTimes].some((t) => Math.abs(t - p.at) <= 12));
    assert.equal(unknown.length, 0, `recorded pictures at no capture time the camera made: ${unknown.slice(0, 3).map((p) => p.at)}`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder that cannot be written is refused at start, with the reason', () => {
  const r = spawnSync(process.env.WSCAM_BIN ?? new URL('../../build/wscam', import.meta.url).pathname,
    ['--port', '0', '--record', 'continuous', '--record-dir', '/proc/wscam-cannot-be-here'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--record-dir: stream default cannot be recorded: cannot create \/proc\/wscam-cannot-be-here\/default: No such file or directory/);
});

test('a full disk stops recording with one clear line, a status and a metric; live viewers go on; recording resumes with space', async () => {
  // The recordings go to a 3 MB tmpfs of wscam's own (a private mount namespace); the test
  // reaches it through /proc/PID/root to make room again.
  const dir = mkdtempSync(join(tmpdir(), 'wscam-record-full-'));
  const server = await startWscam(['--stream', 'cam=testsrc:?size=640x480&fps=30', '--record', 'continuous',
    '--record-codec', 'mjpeg', '--record-dir', dir, '--record-segment', '5'],
  { wrap: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=3m wscam-full "${dir}" && exec "$@"`, 'sh'] });
  const stream = async () => (await (await fetch(`${server.url}/api/streams`)).json()).streams[0];
  const metric = async (name) => Number((await (await fetch(`${server.url}/metrics`)).text())
    .match(new RegExp(`^${name}\\{stream="cam"\\} (\\d+)$`, 'm'))[1]);
  try {
    const viewer = watch(`${server.wsUrl}/ws/cam`);
    await viewer.opened;
    await until(async () => (await stream()).recording?.error, 'the disk fills and recording stops', 20000);
    const full = await stream();
    assert.match(full.recording.error, /No space left on device/);
    assert.equal(full.recording.active, false);
    assert.equal(await metric('wscam_recording_failing'), 1);
    const filledAt = performance.now();
    await sleep(3000);
    // Live viewing is untouched: the viewer's frames keep their pace after the disk filled.
    const before = viewer.frames.filter((f) => f.at < filledAt && f.at > filledAt - 2000);
    const after = viewer.frames.filter((f) => f.at > filledAt + 500 && f.at < filledAt + 2500);
    assert.ok(after.length >= before.length * 0.8, `frames in 2 s: ${before.length} before, ${after.length} after`);
    // Compared with what the same run did before (a sanitizer build renders slower): no new stall.
    const longest = (frames) => Math.max(...frames.slice(1).map((f, i) => f.at - frames[i].at));
    assert.ok(longest(after) <= Math.max(300, 3 * longest(before)),
      `longest gap: ${longest(before)} ms before the disk filled, ${longest(after)} ms after`);
    const lines = server.logs().match(/stream=cam recording stopped: .*No space left on device.*/g) ?? [];
    assert.equal(lines.length, 1, `one line, not one per picture:\n${lines.join('\n')}`);

    // The segment cut short plays up to its last fragment.
    const inside = join(`/proc/${server.proc.pid}/root`, dir, 'cam');
    const cut = readdirSync(inside).sort().pop();
    assert.ok(ffprobe(join(inside, cut), 'packet=pts').packets.length >= 30, `${cut} keeps what reached the disk`);
    // Space returns (the user deletes the recordings); recording starts again within its 5 s retry.
    for (const f of readdirSync(inside)) rmSync(join(inside, f));
    await until(async () => (await stream()).recording?.active === true, 'recording again', 12000);
    assert.equal((await stream()).recording.error, undefined);
    assert.match(server.logs(), /stream=cam recording again/);
    assert.equal(await metric('wscam_recording_failing'), 0);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 loses at most the fragment being written; the next start repairs what was left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-record-kill-'));
  const args = ['--stream', 'cam=testsrc:?size=320x240&fps=10', '--record', 'continuous', '--record-codec', 'mjpeg',
    '--record-dir', dir, '--record-segment', '5'];
  let server = await startWscam(args);
  try {
    const viewer = watch(`${server.wsUrl}/ws/cam`);
    await viewer.opened;
    await sleep(7600);
    server.proc.kill('SIGKILL');
    await new Promise((r) => server.proc.once('exit', r));
    const lastLive = viewer.frames[viewer.frames.length - 1].capture;
    const names = readdirSync(join(dir, 'cam')).sort();
    const cut = names[names.length - 1];
    // The muxer writes a fragment at once; a crash (or power loss) during that write leaves its
    // first bytes: a moof header that promises more than follows.
    appendFileSync(join(dir, 'cam', cut), Buffer.from([0, 0, 0x10, 0, 0x6d, 0x6f, 0x6f, 0x66, 0, 0, 0, 0x10]));

    server = await startWscam(args);
    await until(() => /recording to/.test(server.logs()), 'recording again');
    assert.match(server.logs(), new RegExp(`stream=cam recording: ${cut.replace('.', '\\.')} was not finished \\(wscam stopped without closing it\\): cut back to its last whole fragment: kept \\d+ of \\d+ bytes`));
    await server.stop();
    for (const name of names) {
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', join(dir, 'cam', name), '-f', 'null', '-'], { encoding: 'utf8' });
      assert.equal(decode.status, 0, `${name}: ${decode.stderr}`);
      assert.equal(decode.stderr, '', `${name} plays without a complaint`);
    }
    // What was lost: at most the fragment in memory (about a second) and the picture held for its duration.
    const kept = segments(join(dir, 'cam')).find((s) => s.name === cut).pictures;
    const lost = lastLive - kept[kept.length - 1].at;
    assert.ok(lost <= 2.2e6, `the recording ends ${lost} µs before the last picture the viewer saw`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the recordings API: segments and gaps under the view token, a segment whole or by Range (curl), the open one too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-record-api-'));
  const args = ['--stream', 'cam=testsrc:?size=320x240&fps=10', '--record', 'continuous', '--record-codec', 'mjpeg',
    '--record-dir', dir, '--record-segment', '5', '--view-token', 'letmein'];
  let server = await startWscam(args);
  const api = async (query = '', token = 'letmein') => {
    const res = await fetch(`${server.url}/api/recordings/cam${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: res.headers.get('content-type') === 'application/json' ? await res.json() : await res.text() };
  };
  const curl = (path, ...extra) => spawnSync('curl', ['-s', '-D', '-', '-H', 'Authorization: Bearer letmein', ...extra,
    `${server.url}${path}`], { maxBuffer: 64 << 20 });
  try {
    await sleep(6500);
    assert.equal((await api('', '')).status, 401, 'what the camera saw needs the view token');
    assert.equal((await api('', 'wrong')).status, 401);
    const { status, body } = await api();
    assert.equal(status, 200);
    assert.equal(body.stream, 'cam');
    assert.ok(body.segments.length >= 2, JSON.stringify(body));
    assert.deepEqual(body.gaps, [], 'recording since it started: no gap');
    assert.deepEqual(body.segments.map((s) => s.name), readdirSync(join(dir, 'cam')).filter((f) => f.endsWith('.mp4')).sort());
    const [first, open] = [body.segments[0], body.segments[body.segments.length - 1]];
    assert.equal(first.frames, segments(join(dir, 'cam'))[0].pictures.length, 'the index counts what ffprobe counts');
    assert.equal(first.codec, 'mjpeg');
    assert.equal(first.start, startOf(first.name) / 1e6);
    assert.equal(new Date(first.start_iso).getTime(), Math.floor(first.start * 1000));
    assert.ok(Math.abs(first.end - body.segments[1].start) < 1e-6, 'the next segment starts where one ends');
    assert.ok(Date.now() / 1000 - open.end < 1, `the open segment reaches the newest picture (${Date.now() / 1000 - open.end} s ago)`);

    // A time range, in either form: only the segments that overlap it.
    const later = (await api(`?from=${encodeURIComponent(new Date((first.end + 0.5) * 1000).toISOString())}`)).body;
    assert.deepEqual(later.segments.map((s) => s.name), body.segments.slice(1).map((s) => s.name));
    const early = (await api(`?from=${first.start}&to=${first.start + 1}`)).body;
    assert.deepEqual(early.segments.map((s) => s.name), [first.name]);
    const bad = await api('?from=yesterday');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /from: give Unix seconds \(1765000000\) or ISO 8601 UTC/);

    // One segment: whole, a range, the last bytes, past the end, HEAD; what is on disk.
    const file = readFileSync(join(dir, 'cam', first.name));
    const whole = curl(first.url, '-o', join(dir, 'whole.mp4'));
    assert.match(whole.stdout.toString(), /^HTTP\/1.1 200 OK\r\n[^]*Content-Type: video\/mp4\r\n[^]*Accept-Ranges: bytes\r\n/);
    assert.ok(readFileSync(join(dir, 'whole.mp4')).equals(file));
    const part = curl(first.url, '-r', '100-199', '-o', join(dir, 'part.bin'));
    assert.match(part.stdout.toString(), new RegExp(`^HTTP/1.1 206 Partial Content\\r\\n[^]*Content-Length: 100\\r\\n[^]*Content-Range: bytes 100-199/${file.length}\\r\\n`));
    assert.ok(readFileSync(join(dir, 'part.bin')).equals(file.subarray(100, 200)));
    curl(first.url, '-r', '-50', '-o', join(dir, 'tail.bin'));
    assert.ok(readFileSync(join(dir, 'tail.bin')).equals(file.subarray(file.length - 50)));
    const past = curl(first.url, '-r', `${file.length}-`);
    assert.match(past.stdout.toString(), new RegExp(`^HTTP/1.1 416 Range Not Satisfiable\\r\\n[^]*Content-Range: bytes \\*/${file.length}\\r\\n`));
    const head = curl(first.url, '-I');
    assert.match(head.stdout.toString(), new RegExp(`^HTTP/1.1 200 OK\\r\\n[^]*Content-Length: ${file.length}\\r\\n`));
    // The segment being written downloads and plays, up to its last fragment.
    curl(open.url, '-o', join(dir, 'open.mp4'));
    assert.ok(ffprobe(join(dir, 'open.mp4'), 'packet=pts').packets.length >= 5);
    // Nothing else of the folder is reachable.
    for (const path of [`/recordings/cam/20200101T000000.000000Z.mp4`, `/recordings/cam/..%2Findex.sqlite3`,
      `/recordings/cam/../index.sqlite3`, `/recordings/other/${first.name}`, `/recordings/cam/${first.name}.tmp`]) {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: 'Bearer letmein' } });
      assert.equal(res.status, 404, path);
    }
    assert.equal((await fetch(`${server.url}${first.url}`)).status, 401, 'a segment needs the view token');

    // A restart: the index still knows every segment, and the time wscam was down is a gap.
    assert.equal(await server.stop(), 0);
    await sleep(1500);
    server = await startWscam(args);
    await sleep(1500);
    const after = (await api()).body;
    assert.equal(after.gaps.length, 1, JSON.stringify(after.gaps));
    assert.ok(after.gaps[0].end - after.gaps[0].start > 1.2, `the gap: ${JSON.stringify(after.gaps[0])}`);
    assert.ok(after.segments.length >= body.segments.length + 1);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention: a stream over record_max_bytes loses its oldest segments, files and index alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-record-keep-'));
  // QVGA JPEGs at 10 fps: about 100 KB a second, 500 KB a 5 s segment; keep 1.2 MB.
  const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=10', '--record', 'continuous',
    '--record-codec', 'mjpeg', '--record-dir', dir, '--record-segment', '5', '--record-max-bytes', '1200K']);
  try {
    await until(() => /stream=cam recording: removed \d+ old segment/.test(server.logs()), 'the oldest segment goes', 30000);
    await sleep(5500);  // one more segment closes, and another goes
    const list = (await (await fetch(`${server.url}/api/recordings/cam`)).json()).segments;
    const finished = list.slice(0, -1);  // the last one is being written
    const kept = finished.reduce((sum, s) => sum + s.bytes, 0);
    assert.ok(kept <= 1200 * 1024, `finished segments kept: ${kept} bytes`);
    assert.ok(finished.length >= 1, 'the newest finished ones stay');
    const files = readdirSync(join(dir, 'cam')).filter((f) => f.endsWith('.mp4')).sort();
    assert.deepEqual(files, list.map((s) => s.name), 'the index and the folder agree');
    const firstName = startOf(files[0]);
    const logged = server.logs().match(/stream=cam recording: removed (\d+) old segment/g);
    assert.ok(logged.length >= 2, logged.join('\n'));
    assert.ok(firstName > Date.now() * 1000 - 20e6, 'the oldest kept began less than 20 s ago');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
