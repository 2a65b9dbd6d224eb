// exec: any program as a camera, with the real ffmpeg as the program (and sh where a program
// with a child of its own is needed). Each program's argv carries a marker unique to the test,
// so that `pgrep -f` finds exactly it (and wscam itself, whose --stream holds the same text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startWscam, jpegSize, WSCAM_BIN } from './lib/wscam.mjs';
import { decodes } from './lib/cameras.mjs';
import { sleep, until } from './lib/wait.mjs';

const marker = (name) => `wscam-exec-${name}-${process.pid}`;

/** ffmpeg drawing its test pattern at 15 fps as an MJPEG byte stream on stdout. */
const ffmpeg = (mark, size = '320x240') =>
  `ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc2=size=${size}:rate=15 ` +
  `-metadata title=${mark} -f mjpeg -q:v 5 -`;

/** Pids of the processes whose argv holds `mark`, wscam itself excluded. */
function programs(mark, server) {
  const r = spawnSync('pgrep', ['-f', mark], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number).filter((p) => p !== server.proc.pid);
}

const stat = (pid) => {
  try {
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
    const [state, ppid, pgrp] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return null;  // gone, and reaped
  }
};

/** wscam's children that have ended but nobody reaped. */
const zombiesOf = (pid) => readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  .map((d) => ({ pid: Number(d), ...stat(d) })).filter((p) => p.ppid === pid && p.state === 'Z');

/** A viewer speaking wscam.v1: counts frames with their arrival times, keeps every status. */
function watch(server, stream = 'cam') {
  const v = { frames: [], times: [], statuses: [], ws: new WebSocket(`${server.wsUrl}/ws/${stream}`, ['wscam.v1']) };
  v.ws.on('message', (data, binary) => {
    if (binary) {
      v.frames.push(data.subarray(data[1]));  // after the wscam.v1 header
      v.times.push(performance.now());
      return;
    }
    const m = JSON.parse(data.toString());
    if (m.type === 'status') v.statuses.push(m);
  });
  v.close = () => new Promise((r) => { v.ws.once('close', r); v.ws.close(); });
  return v;
}

test('frames from ffmpeg reach a viewer at the pace ffmpeg sends them', async () => {
  const server = await startWscam(['--stream', `cam=exec:${ffmpeg(marker('pace'))}`]);
  const v = watch(server);
  try {
    await until(() => v.frames.length >= 46, '46 frames', 15000);
    for (const f of v.frames.slice(0, 46)) assert.deepEqual(jpegSize(f), { width: 320, height: 240 });
    assert.ok(decodes(v.frames[20]), 'a relayed frame decodes with ffmpeg');
    const gaps = v.times.slice(1, 46).map((t, i) => t - v.times[i]).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)];
    assert.ok(Math.abs(median - 1000 / 15) < 20, `median gap ${median.toFixed(1)} ms, want ~66.7 ms`);
    assert.ok(gaps.at(-1) < 500, `longest gap ${gaps.at(-1).toFixed(1)} ms`);
    assert.match(server.logs(), /stream=cam exec: started 'ffmpeg' \(pid \d+\)/);
  } finally {
    await v.close();
    await server.stop();
  }
});

test('the program runs only while someone watches, and goes with its children after the last viewer left', async () => {
  const mark = marker('demand');
  // A shell program with a child of its own: exec runs sh, sh runs ffmpeg.
  const server = await startWscam(['--stream', `cam=exec:sh -c '${ffmpeg(mark)} & wait'`]);
  try {
    await sleep(1500);
    assert.deepEqual(programs(mark, server), [], 'nobody watches: nothing runs');
    const v = watch(server);
    await until(() => v.frames.length >= 5, 'frames');
    const running = programs(mark, server);
    assert.equal(running.length, 2, `sh and its ffmpeg: ${running}`);
    const groups = new Set(running.map((p) => stat(p).pgrp));
    assert.equal(groups.size, 1, 'one process group');
    assert.notEqual([...groups][0], stat(server.proc.pid).pgrp, "not wscam's group");
    for (const pid of running) {
      const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } });
      assert.ok(!fds.some((l) => l.startsWith('socket:')), `no socket of wscam's leaked into ${pid}: ${fds}`);
    }

    const left = performance.now();
    await v.close();
    await sleep(3000);
    assert.equal(programs(mark, server).length, 2, 'still running within the grace after the last viewer left');
    await until(() => programs(mark, server).length === 0, 'the program and its child to end', 10000);
    const after = (performance.now() - left) / 1000;
    assert.ok(after > 4.5 && after < 9, `ended ${after.toFixed(1)} s after the last viewer left (grace 5 s)`);
    // Logged once the whole group is gone and reaped.
    await until(() => /stream=cam source idle: no viewers, 'sh' ended/.test(server.logs()), 'the idle line', 3000);
    for (const pid of running) assert.equal(stat(pid), null, `${pid} is reaped, not a zombie`);
    assert.deepEqual(zombiesOf(server.proc.pid), []);

    const again = watch(server);
    await until(() => again.frames.length >= 3, 'frames for a new viewer');
    assert.equal(programs(mark, server).length, 2, 'started again for the new viewer');
    await again.close();
  } finally {
    await server.stop();
  }
});

test('a killed program takes the stream offline with the reason; it starts again and frames resume', async () => {
  const mark = marker('kill');
  const server = await startWscam(['--stream', `cam=exec:${ffmpeg(mark)}`, '--reconnect-delay', '0.2']);
  const v = watch(server);
  try {
    await until(() => v.frames.length >= 5, 'frames');
    const fdCount = () => readdirSync(`/proc/${server.proc.pid}/fd`).length;
    const fdsBefore = fdCount();
    for (let cycle = 1; cycle <= 3; cycle++) {
      const [pid] = programs(mark, server);
      assert.ok(pid, 'ffmpeg runs');
      const statuses = v.statuses.length;
      process.kill(pid, 'SIGKILL');
      await until(() => v.statuses.slice(statuses).some((s) => s.state === 'offline'), `offline (cycle ${cycle})`);
      const offline = v.statuses.slice(statuses).find((s) => s.state === 'offline');
      assert.match(offline.reason, /^exec: 'ffmpeg' was killed by signal 9 \(SIGKILL\); restarting in \d+ ms$/);
      const frames = v.frames.length;
      await until(() => v.statuses.slice(statuses).some((s) => s.state === 'online') && v.frames.length > frames + 5,
        `online and frames again (cycle ${cycle})`);
      const [next] = programs(mark, server);
      assert.ok(next && next !== pid, 'a new ffmpeg');
      assert.equal(stat(pid), null, 'the killed one was reaped');
    }
    assert.equal(fdCount(), fdsBefore, 'no descriptor leaked over three restarts');
    assert.equal(v.ws.readyState, WebSocket.OPEN, 'the viewer stayed connected');
  } finally {
    await v.close();
    await server.stop();
  }
});

test('a program that stops sending goes offline after --stall-timeout and is replaced; SIGKILL ends what ignores SIGTERM', async () => {
  const mark = marker('stall');
  const server = await startWscam(['--stream', `cam=exec:${ffmpeg(mark)}`, '--stall-timeout', '1', '--reconnect-delay', '0.2']);
  const v = watch(server);
  try {
    await until(() => v.frames.length >= 5, 'frames');
    const [pid] = programs(mark, server);
    process.kill(pid, 'SIGSTOP');  // alive, silent, and deaf to SIGTERM until continued
    const stopped = performance.now();
    await until(() => v.statuses.some((s) => s.state === 'offline'), 'offline');
    const offlineAfter = performance.now() - stopped;
    assert.match(v.statuses.find((s) => s.state === 'offline').reason, /^exec: no frame for 1 s from 'ffmpeg'; restarting in \d+ ms$/);
    assert.ok(offlineAfter > 900 && offlineAfter < 2500, `offline ${offlineAfter.toFixed(0)} ms after the last frame`);
    await until(() => stat(pid) === null, 'the stopped ffmpeg to be killed and reaped', 6000);
    const goneAfter = performance.now() - stopped;
    assert.ok(goneAfter > 2800, `SIGKILL only after the 2 s grace (gone after ${goneAfter.toFixed(0)} ms)`);
    const frames = v.frames.length;
    await until(() => v.frames.length > frames + 5, 'frames from a new ffmpeg');
  } finally {
    await v.close();
    await server.stop();
  }
});

test('when wscam stops, the program and its children are ended and reaped', async () => {
  const mark = marker('stop');
  const server = await startWscam(['--stream', `cam=exec:sh -c '${ffmpeg(mark)} & wait'`]);
  const v = watch(server);
  await until(() => v.frames.length >= 3, 'frames');
  const running = programs(mark, server);
  assert.equal(running.length, 2);
  const started = performance.now();
  assert.equal(await server.stop('SIGTERM'), 0);
  assert.ok(performance.now() - started < 1500, 'SIGTERM is enough: no 2 s wait for SIGKILL');
  assert.deepEqual(programs(mark, server), [], 'no process with the marker remains');
  for (const pid of running) assert.ok(!existsSync(`/proc/${pid}`), `${pid} is gone, not even a zombie`);
});

test("the program's stderr goes to the log line by line, prefixed, sanitised and rate-limited", async () => {
  const mark = marker('stderr');
  const script = `printf "colour \\033[31mred\\033[0m\\n" >&2; echo "rtsp://admin:hunter2@cam/live: Connection refused" >&2; ` +
    `i=0; while [ $i -lt 12 ]; do echo "line $i of ${mark}" >&2; i=$((i+1)); done; exec ${ffmpeg(mark)}`;
  const server = await startWscam(['--stream', `cam=exec:sh -c '${script}'`]);
  const v = watch(server);
  try {
    await until(() => v.frames.length >= 3, 'frames');
    // The held-back lines are counted once their second is over.
    await until(() => /stream=cam exec: \d+ lines? suppressed/.test(server.logs()), 'the count of suppressed lines');
    const logs = server.logs();
    assert.ok(!logs.includes('\x1b'), 'no escape sequence reaches the log');
    assert.ok(!logs.includes('hunter2'), 'no password reaches the log, from the command line or from stderr');
    const shown = logs.split('\n').filter((l) => l.includes('stream=cam exec: ')).map((l) => l.split('stream=cam exec: ')[1]);
    assert.deepEqual(shown.filter((l) => !l.startsWith('started')), [
      'colour  [31mred [0m',  // the escape characters became spaces
      'rtsp://***@cam/live: Connection refused',
      `line 0 of ${mark}`, `line 1 of ${mark}`, `line 2 of ${mark}`,
      '9 lines suppressed',  // 14 lines in a moment, 5 shown
    ]);
  } finally {
    await v.close();
    await server.stop();
  }
});

test('secrets in the command line reach neither the log nor /api/streams, which shows the command line only to the control token', async () => {
  // /api/streams (open by default) and the log used to show curl -u admin:hunter2 and the like in full.
  const mark = marker('secrets');
  const secrets = ['hunter2', 'hunter3', 'hunter4', 'hunter5', 'hunter6', 'aHVudGVyNw', 'hunter8', 'hunter9', 'hunter10',
    'hunter11', 'hunter12', 'hunter13'];
  // sh runs ffmpeg; the words after its script are only $0, $1, ... (what a real command would take).
  const command = `sh -c 'exec ${ffmpeg(mark)}' curl -u admin:hunter2 --password hunter3 -p hunter4 --user=admin:hunter5 ` +
    `-uadmin:hunter6 -H "Authorization: Basic aHVudGVyNw==" -headers 'Cookie: session=hunter8\\r\\n' ` +
    `'http://cam/x?token=hunter9&size=VGA' rtsp://admin:hunter10@cam/live api_key=hunter11 --proxy-user u:hunter12 ` +
    `-H 'X-Api-Key: hunter13'`;
  const server = await startWscam(['--stream', `cam=exec:${command}`, '--control-token', 'ctl-secret']);
  const v = watch(server);
  try {
    await until(() => v.frames.length >= 3, 'frames');
    const source = async (query = '') =>
      (await (await fetch(`${server.url}/api/streams${query}`)).json()).streams.find((s) => s.name === 'cam').source;
    assert.equal(await source(), 'exec', 'without the control token: the kind of source only');
    assert.equal(await source('?token=wrong'), 'exec');
    const shown = await source('?token=ctl-secret');
    assert.ok(shown.startsWith(`exec:sh -c 'exec ffmpeg`), shown);
    for (const s of secrets) assert.ok(!shown.includes(s), `${s} in ${shown}`);
    for (const kept of ['-u ***', '--password ***', '-p ***', '--user=***', 'Authorization: ***', 'Cookie: ***',
      'token=***&size=VGA', 'rtsp://***@cam/live', 'api_key=***', 'X-Api-Key: ***'])
      assert.ok(shown.includes(kept), `${kept} in ${shown}`);
    const logs = server.logs();
    assert.match(logs, /stream=cam source starting: exec:sh -c/);
    for (const s of [...secrets, 'ctl-secret']) assert.ok(!logs.includes(s), `${s} in the log`);
  } finally {
    await v.close();
    await server.stop();
  }
});

test('a program that does not exist gives a clear reason, and is tried again', async () => {
  const name = `${marker('missing')}-program`;
  const server = await startWscam(['--stream', `cam=exec:${name} -x`, '--reconnect-delay', '0.2']);
  const v = watch(server);
  try {
    const want = `exec: cannot run '${name}': No such file or directory`;
    await until(() => v.statuses.some((s) => s.state === 'offline' && s.reason.startsWith(want)), 'the reason');
    await until(() => server.logs().split(want).length > 2, 'a second attempt in the log');
    assert.match(server.logs(), new RegExp(`stream=cam source offline: ${want}; restarting in \\d+ ms`));
  } finally {
    await v.close();
    await server.stop();
  }
});

test('--probe runs the program, reports what it sends, and ends it', async () => {
  const mark = marker('probe');
  const run = (args) => new Promise((resolve) => {
    const p = spawn(WSCAM_BIN, args);
    let stdout = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.on('exit', (status) => resolve({ status, stdout, pid: p.pid }));
  });
  const ok = await run(['--source', `exec:${ffmpeg(mark, '352x288')}`, '--probe', '--probe-seconds', '10']);
  assert.equal(ok.status, 0, ok.stdout);
  assert.match(ok.stdout, /size: +352x288/);
  assert.match(ok.stdout, /fps: +1[3-7]\.\d/);
  assert.deepEqual(programs(mark, { proc: { pid: -1 } }), [], 'ffmpeg ended with the probe');
  const bad = await run(['--source', 'exec:wscam-no-such-program', '--probe', '--probe-seconds', '1']);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /no frames received: exec: cannot run 'wscam-no-such-program': No such file or directory/);
});
