// Recordings in a cluster (issue 23): a stream is recorded by the node that owns it, never by
// the nodes that relay it; the recordings API on any node finds them, by pointing the client
// (307) to the owner's announced address (--advertise-url). Real nats-servers, real nodes, curl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { freePort, startNatsCluster } from './lib/nats.mjs';
import { streams } from './lib/cluster_viewer.mjs';
import { sleep, until } from './lib/wait.mjs';

test('the owner records its stream, a relay does not; the relay points recordings requests to the owner', async () => {
  const nats = await startNatsCluster(2);
  const dirA = mkdtempSync(join(tmpdir(), 'wscam-cluster-rec-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'wscam-cluster-rec-b-'));
  const portA = await freePort();
  const rec = (dir) => ['--record', 'continuous', '--record-codec', 'mjpeg', '--record-dir', dir, '--record-segment', '5'];
  // Both nodes record every stream they serve; only A owns `cam`.
  const a = await startWscam(['--nats', nats.natsArg(0), '--node', 'A', '--port', String(portA), '--advertise-url',
    `http://127.0.0.1:${portA}`, '--stream', 'cam=testsrc:?size=160x120&fps=10', '--view-token', 'v', ...rec(dirA)]);
  const b = await startWscam(['--nats', nats.natsArg(1), '--node', 'B', '--stream', 'own=testsrc:?size=160x120&fps=10',
    '--view-token', 'v', ...rec(dirB)]);
  try {
    const listed = async () => (await (await fetch(`${b.url}/api/streams?token=v`)).json()).streams;
    await until(async () => (await listed()).some((s) => s.name === 'cam' && s.online), 'cam listed on B', 10000);
    await sleep(7000);
    assert.ok(readdirSync(join(dirA, 'cam')).some((f) => f.endsWith('.mp4')), 'A records cam');
    assert.ok(!existsSync(join(dirB, 'cam')), 'B, relaying cam, records nothing of it');
    assert.ok(readdirSync(join(dirB, 'own')).some((f) => f.endsWith('.mp4')), 'B records its own stream');

    // On B, cam's recordings are A's: 307 to the same path and query on A, less the token (an
    // address from the cluster is not handed a credential).
    const moved = await fetch(`${b.url}/api/recordings/cam?from=0&token=v`, { redirect: 'manual' });
    assert.equal(moved.status, 307);
    assert.equal(moved.headers.get('location'), `http://127.0.0.1:${portA}/api/recordings/cam?from=0`);
    assert.match(await moved.text(), /recorded by node A/);
    // A client that follows it with its credentials gets A's list.
    const curl = spawnSync('curl', ['-s', '-L', '--location-trusted', '-H', 'Authorization: Bearer v',
      `${b.url}/api/recordings/cam?from=0`], { encoding: 'utf8' });
    const list = JSON.parse(curl.stdout);
    assert.ok(list.segments.length >= 1, curl.stdout);
    // The token still counts on B first: B requires what A requires.
    assert.equal((await fetch(`${b.url}/api/recordings/cam`, { redirect: 'manual' })).status, 401);
    // B's own stream is answered by B.
    assert.equal((await fetch(`${b.url}/api/recordings/own?token=v`, { redirect: 'manual' })).status, 200);
    // And A points nowhere for its own.
    assert.equal((await fetch(`${a.url}/api/recordings/cam?token=v`, { redirect: 'manual' })).status, 200);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await nats.stop();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
});

test('an owner that announces no address is named, and a bad --advertise-url is refused at start', async () => {
  const nats = await startNatsCluster(1);
  const a = await startWscam(['--nats', nats.natsArg(0), '--node', 'A', '--stream', 'cam=testsrc:?size=160x120']);
  const b = await startWscam(['--nats', nats.natsArg(0), '--node', 'B']);
  try {
    await until(async () => (await streams(b)).some((s) => s.name === 'cam'), 'cam listed on B', 10000);
    const res = await fetch(`${b.url}/recordings/cam/export.mp4?from=0`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /recorded by node A, which announces no address \(--advertise-url\)/);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await nats.stop();
  }
  const bin = process.env.WSCAM_BIN || new URL('../../build/wscam', import.meta.url).pathname;
  const r = spawnSync(bin, ['--advertise-url', 'http://a.example/path'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--advertise-url: 'http:\/\/a\.example\/path' is not http\(s\):\/\/HOST\[:PORT\]/);
});

/** Each segment's first and last capture time (µs), from its name and ffprobe's pts (one still empty is left out). */
function spans(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.endsWith('.mp4')).sort().flatMap((name) => {
    const m = name.match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)\.(\d{6})Z/);
    const start = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) * 1000 + Number(m[7]);
    const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts', '-of', 'json', join(folder, name)], { encoding: 'utf8' });
    const pts = (JSON.parse(r.stdout || '{}').packets ?? []).map((p) => Number(p.pts));
    return pts.length ? [{ name, first: start + pts[0], last: start + pts[pts.length - 1], pictures: pts.length }] : [];
  });
}

test('a camera configured on two nodes is recorded by one at a time, and by the other once the first is gone, never both', async () => {
  const nats = await startNatsCluster(1);
  const dirA = mkdtempSync(join(tmpdir(), 'wscam-cluster-rec-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'wscam-cluster-rec-b-'));
  // Both nodes serve `cam` (both online: the test card) and record every stream they serve.
  const args = (node, dir) => ['--nats', nats.natsArg(0), '--node', node, '--stream', 'cam=testsrc:?size=160x120&fps=10',
    '--record', 'continuous', '--record-codec', 'mjpeg', '--record-dir', dir, '--record-segment', '5'];
  const a = await startWscam(args('A', dirA));
  const b = await startWscam(args('B', dirB));
  try {
    await sleep(10000);
    const pictures = (list) => list.reduce((n, s) => n + s.pictures, 0);
    assert.ok(pictures(spans(join(dirA, 'cam'))) >= 30, 'A (the first by name) records cam');
    assert.equal(pictures(spans(join(dirB, 'cam'))), 0, 'B, serving cam too, does not record it while A does');
    // A goes: B takes over within a few seconds.
    await a.stop();
    const stoppedAt = Date.now() * 1000;
    await sleep(6000);
    const onA = spans(join(dirA, 'cam')), onB = spans(join(dirB, 'cam'));
    assert.ok(pictures(onB) >= 20, `B recorded ${JSON.stringify(onB)}`);
    const lastA = Math.max(...onA.map((s) => s.last)), firstB = Math.min(...onB.map((s) => s.first));
    assert.ok(firstB > lastA, `B's first picture ${firstB} is not after A's last ${lastA}: recorded twice`);
    assert.ok(firstB - stoppedAt < 4e6, `B began ${firstB - stoppedAt} µs after A stopped`);
    assert.match(b.logs(), /stream=cam recording to /);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await nats.stop();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
});
