// One camera, viewers on every node: wscam nodes joined through a cluster of three real
// nats-servers (issue 12). Frames are the same everywhere (capture times, bytes; each node
// numbers what it serves), the owner captures only while some node watches, a NATS server dying
// is a short gap, the owner dying is "offline" with the reason, then "online" when it is back,
// and a restarted owner's frames reach the relays' viewers at once (issue 21).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';
import { startNatsCluster } from './lib/nats.mjs';
import { watch, streams } from './lib/cluster_viewer.mjs';
import { makeFrames } from './lib/cameras.mjs';
import { sleep, until } from './lib/wait.mjs';

const framesOf = async (server, name) => (await streams(server)).find((s) => s.name === name)?.frames;

test('every node serves the owner\'s stream: same frames, capture on demand, failover, owner lost and back', async () => {
  const nats = await startNatsCluster(3);
  const ownerArgs = ['--nats', nats.natsArg(0), '--node', 'A', '--stream', 'cam=testsrc:?size=320x240&fps=10'];
  let a = await startWscam(ownerArgs);
  const b = await startWscam(['--nats', nats.natsArg(1), '--node', 'B']);
  const c = await startWscam(['--nats', nats.natsArg(2), '--node', 'C']);
  const viewers = [];
  try {
    // The cluster's stream list, on every node.
    for (const node of [b, c])
      await until(async () => (await streams(node)).some((s) => s.name === 'cam' && s.online), 'cam listed online on B and C', 10000);

    // Nobody watches anywhere: the owner does not capture.
    const idle = await framesOf(a, 'cam');
    assert.equal(typeof idle, 'number');
    await sleep(1500);
    assert.equal(await framesOf(a, 'cam'), idle, 'no frames while nobody in the cluster watches');

    // Viewers on A, B and C: the same frames, stamped by the owner (matched by capture time).
    for (const node of [a, b, c]) viewers.push(watch(`${node.wsUrl}/ws/cam`));
    await Promise.all(viewers.map((v) => v.opened));
    await until(() => viewers.every((v) => v.frames.length >= 15), '15 frames on every node', 15000);
    const [onA, onB, onC] = viewers.map((v) => new Map(v.frames.map((f) => [f.capture, f])));
    const common = [...onA.keys()].filter((t) => onB.has(t) && onC.has(t));
    assert.ok(common.length >= 8, `frames with the same capture time on every node: ${common.length}`);
    for (const t of common) {
      assert.ok(onB.get(t).jpeg.equals(onA.get(t).jpeg) && onC.get(t).jpeg.equals(onA.get(t).jpeg), `frame of ${t}: the same bytes`);
      // Relayed through NATS: a few milliseconds later than on the owner, not a frame interval.
      assert.ok(onB.get(t).at - onA.get(t).at < 100, `frame of ${t} on B ${(onB.get(t).at - onA.get(t).at).toFixed(1)} ms after A`);
    }
    for (const v of viewers.slice(1))
      for (let i = 1; i < v.frames.length; i++) assert.ok(v.frames[i].seq > v.frames[i - 1].seq, 'a relay\'s numbers rise');
    const hello = viewers[2].texts.find((m) => m.type === 'hello');
    assert.equal(hello.width, 320);

    // Only remote viewers: the owner captures for them.
    viewers[0].ws.close();
    const before = await framesOf(a, 'cam');
    await sleep(1000);
    assert.ok((await framesOf(a, 'cam')) > before + 5, 'the owner keeps capturing for viewers on other nodes');

    // B's own NATS server dies: B fails over to another one; its viewer stays connected.
    nats.kill(1);
    const killedAt = performance.now();
    await until(() => viewers[1].frames.some((f) => f.at > killedAt + 100), 'frames on B again after its NATS server died', 10000);
    assert.equal(viewers[1].closed, null, 'B\'s viewer stays connected');
    assert.match(b.logs(), /cluster: connected to NATS nats:\/\/127\.0\.0\.1:\d+/);

    // The owner dies: B and C say offline, with the reason; then it comes back.
    a.proc.kill('SIGKILL');
    await until(() => viewers[2].texts.some((m) => m.type === 'status' && m.state === 'offline' && /node A/.test(m.reason ?? '')),
      'offline with the reason on C', 10000);
    a = await startWscam(ownerArgs);
    const backAt = performance.now();
    await until(() => viewers[2].texts.some((m) => m.type === 'status' && m.state === 'online')
      && viewers[2].frames.some((f) => f.at > backAt), 'online and frames again on C', 15000);
    assert.equal(viewers[2].closed, null, 'C\'s viewer stayed connected throughout');
  } finally {
    viewers.forEach((v) => v.ws.close());
    for (const node of [a, b, c]) await node.stop();
    nats.stop();
  }
});

// Issue 21, item 1: relayed frames kept the owner's numbers, and each viewer drops a frame not
// numbered above the last it saw, so after an owner's restart the relays' viewers got nothing
// until the new run's numbers passed the old ones (after 30 s of uptime, 29.9 s; after hours,
// hours), while a new viewer was fine.
test('the owner restarts under relay viewers: their frames (JPEG and H.264) resume within 2 s of the owner\'s', async () => {
  const nats = await startNatsCluster(2);
  const ownerArgs = ['--nats', nats.natsArg(0), '--node', 'A', '--stream', 'cam=testsrc:?size=320x240&fps=15'];
  let a = await startWscam(ownerArgs);
  const b = await startWscam(['--nats', nats.natsArg(1), '--node', 'B']);
  const c = await startWscam(['--nats', nats.natsArg(1), '--node', 'C']);
  const viewers = [];
  let fresh = null;
  try {
    for (const node of [b, c])
      await until(async () => (await streams(node)).some((s) => s.name === 'cam' && s.online), 'cam online on B and C', 10000);
    viewers.push(watch(`${b.wsUrl}/ws/cam`), watch(`${b.wsUrl}/ws/cam?codec=h264`), watch(`${c.wsUrl}/ws/cam`));
    await Promise.all(viewers.map((v) => v.opened));
    // Six seconds of the owner's numbers: without the fix, that long a freeze after the restart.
    await sleep(6000);
    assert.ok(viewers.every((v) => v.frames.length >= 30), `frames before: ${viewers.map((v) => v.frames.length)}`);
    assert.ok(viewers[1].frames.some((f) => f.jpeg.length > 0) && viewers[1].texts.find((m) => m.type === 'hello')?.codec === 'h264',
      'the second viewer gets H.264');

    a.proc.kill('SIGKILL');
    a = await startWscam(ownerArgs);  // within the node timeout: the relays see a new run of A
    const restartedAt = performance.now();
    fresh = watch(`${a.wsUrl}/ws/cam`);  // the owner's own first frames of its new run
    await until(() => fresh.frames.length > 0, 'a frame on the restarted owner', 10000);
    const ownerFirst = fresh.frames[0].at;
    await until(() => viewers.every((v) => v.frames.some((f) => f.at > restartedAt)), 'frames again on every relay viewer', 15000);
    for (const [i, v] of viewers.entries()) {
      const first = v.frames.find((f) => f.at > restartedAt).at;
      assert.ok(first - ownerFirst < 2000, `relay viewer ${i}: first frame ${(first - ownerFirst).toFixed(0)} ms after the owner's`);
      assert.equal(v.closed, null, `relay viewer ${i} stayed connected`);
    }
    // And they keep coming: no gap over a second once resumed.
    await sleep(1500);
    for (const [i, v] of viewers.entries()) {
      const after = v.frames.filter((f) => f.at > restartedAt);
      for (let k = 1; k < after.length; k++)
        assert.ok(after[k].at - after[k - 1].at < 1000, `relay viewer ${i}: a ${(after[k].at - after[k - 1].at).toFixed(0)} ms gap`);
    }
  } finally {
    fresh?.ws.close();
    viewers.forEach((v) => v.ws.close());
    for (const node of [a, b, c]) await node.stop();
    nats.stop();
  }
});

// Issue 21, item 2: a stream's own tokens held on its owner only; on a relay, /ws, /snapshot and
// MJPEG opened without a token, with can_control.
test('a stream\'s own view and control tokens hold on every node of the cluster', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { upgradeStatus } = await import('./lib/wscam.mjs');
  const config = join(mkdtempSync(join(tmpdir(), 'wscam-cluster-')), 'a.toml');
  writeFileSync(config, '[[stream]]\nname = "secret"\nsource = "testsrc:?size=160x120&fps=10"\n'
    + 'view_token = "view-9f2c1e"\ncontrol_token = "control-77ab03"\n\n'
    + '[[stream]]\nname = "open"\nsource = "testsrc:?size=160x120&fps=10"\n');
  const nats = await startNatsCluster(2);
  const a = await startWscam(['--nats', nats.natsArg(0), '--node', 'A', '--config', config]);
  const b = await startWscam(['--nats', nats.natsArg(1), '--node', 'B']);
  const viewers = [];
  try {
    await until(async () => (await streams(b)).filter((s) => s.online).length === 2, 'both streams online on B', 10000);
    for (const node of [a, b]) {
      assert.equal(await upgradeStatus(`${node.wsUrl}/ws/secret`), 401, `${node === a ? 'A' : 'B'}: /ws/secret without a token`);
      assert.equal((await fetch(`${node.url}/snapshot/secret.jpg`)).status, 401, 'snapshot without a token');
      assert.equal((await fetch(`${node.url}/stream/secret.mjpg`)).status, 401, 'MJPEG without a token');
      assert.equal(await upgradeStatus(`${node.wsUrl}/ws/secret?token=wrong`), 401, 'a wrong token');
      assert.equal(await upgradeStatus(`${node.wsUrl}/ws/open`), 101, 'the open stream stays open');
    }
    const viewOnly = watch(`${b.wsUrl}/ws/secret?token=view-9f2c1e`);
    const control = watch(`${b.wsUrl}/ws/secret?token=control-77ab03`);
    viewers.push(viewOnly, control);
    await until(() => viewers.every((v) => v.frames.length >= 3), 'frames on B with either token', 10000);
    assert.equal(viewOnly.texts.find((m) => m.type === 'hello').can_control, false, 'the view token does not control');
    assert.equal(control.texts.find((m) => m.type === 'hello').can_control, true, 'the control token controls');
    const snap = await fetch(`${b.url}/snapshot/secret.jpg?token=view-9f2c1e`);
    assert.equal(snap.status, 200);
    // The announce carries verifiers, never the tokens.
    const { natsPeer } = await import('./lib/nats_peer.mjs');
    const peer = await natsPeer(nats.urls[0]);
    await peer.subscribe('wscam.announce');
    await until(() => peer.on('wscam.announce').some((m) => JSON.parse(m.data).node === 'A'), 'A\'s announce', 5000);
    const text = peer.on('wscam.announce').find((m) => JSON.parse(m.data).node === 'A').data.toString();
    peer.close();
    assert.ok(!text.includes('view-9f2c1e') && !text.includes('control-77ab03'), 'no token in the announce');
    assert.match(text, /"view_check":"pbkdf2-sha256\$10000\$[0-9a-f]{32}\$[0-9a-f]{64}"/);
  } finally {
    viewers.forEach((v) => v.ws.close());
    await a.stop();
    await b.stop();
    nats.stop();
  }
});

/** The controls a viewer was last told of (hello, then `controls` messages). */
const controlsOf = (v) => [...v.texts].reverse().find((m) => m.type === 'hello' || m.type === 'controls')?.controls ?? [];
const changes = (v, id) => v.texts.filter((m) => m.type === 'control_changed' && m.id === id).map((m) => m.value);
const errors = (v) => v.texts.filter((m) => m.type === 'error').map((m) => m.reason);

test('a control change on any node reaches the owner and every node\'s viewers; refusals and timeouts reach the asker', async () => {
  const nats = await startNatsCluster(2);
  const a = await startWscam(['--nats', nats.natsArg(0), '--node', 'A', '--stream', 'cam=testsrc:?size=320x240&fps=10',
    '--stream', 'pub=push:', '--publish-token', 'pub']);
  const b = await startWscam(['--nats', nats.natsArg(1), '--node', 'B']);
  const c = await startWscam(['--nats', nats.natsArg(1), '--node', 'C']);
  // A pushing camera on A: `led` 1 is refused, `wb_mode` is never answered.
  const camera = { received: [], ws: new WebSocket(`${a.wsUrl}/publish/pub?token=pub`) };
  camera.ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    camera.received.push(m);
    if (m.type === 'control' && m.id === 'led')
      camera.ws.send(JSON.stringify(m.value === 1 ? { type: 'error', id: 'led', reason: 'the LED is broken' }
        : { type: 'control_changed', id: 'led', value: m.value }));
  });
  const frames = makeFrames(1);
  const pushing = setInterval(() => camera.ws.readyState === WebSocket.OPEN && camera.ws.send(frames[0]), 100);
  const viewers = [];
  try {
    await new Promise((r) => camera.ws.once('open', r));
    camera.ws.send(JSON.stringify({ type: 'hello', controls: [
      { id: 'led', name: 'LED', type: 'int', min: 0, max: 1, step: 1, value: 0 },
      { id: 'wb_mode', name: 'White balance', type: 'menu', value: 0, options: [{ value: 0, label: 'Auto' }, { value: 2, label: 'Cloudy' }] },
    ] }));
    for (const node of [b, c])
      await until(async () => (await streams(node)).filter((s) => ['cam', 'pub'].includes(s.name) && s.online).length === 2,
        'cam and pub listed online on B and C', 10000);

    // Viewers of the test pattern on every node: the relays learn the owner's controls.
    const [onA, onB, onC] = [a, b, c].map((node) => watch(`${node.wsUrl}/ws/cam`));
    viewers.push(onA, onB, onC);
    await until(() => viewers.every((v) => controlsOf(v).some((k) => k.id === 'brightness')),
      'the brightness control on every node', 10000);
    assert.deepEqual(controlsOf(onB).map((k) => k.id), controlsOf(onA).map((k) => k.id), 'the owner\'s list on B');

    // A change on B: applied by the owner, every node's viewers hear it once.
    onB.ws.send(JSON.stringify({ type: 'control', id: 'brightness', value: 40 }));
    await until(() => viewers.every((v) => changes(v, 'brightness').includes(40)), 'control_changed 40 on A, B and C', 5000);
    // C heard of it too: the same value from C is nothing new (no request, no broadcast).
    onC.ws.send(JSON.stringify({ type: 'control', id: 'brightness', value: 40 }));
    onC.ws.send(JSON.stringify({ type: 'control', id: 'brightness', value: -30 }));
    await until(() => viewers.every((v) => changes(v, 'brightness').includes(-30)), 'control_changed -30 everywhere', 5000);
    await sleep(300);
    for (const [v, node] of [[onA, 'A'], [onB, 'B'], [onC, 'C']])
      assert.deepEqual(changes(v, 'brightness'), [40, -30], `each change once on ${node}`);
    // Out of range: refused on B itself, for the asker only.
    onB.ws.send(JSON.stringify({ type: 'control', id: 'brightness', value: 500 }));
    await until(() => errors(onB).length === 1, 'the range error on B', 5000);
    assert.equal(errors(onA).length + errors(onC).length, 0);

    // The pushing camera behind A: its refusal and its silence reach the viewer on B.
    const pub = watch(`${b.wsUrl}/ws/pub`);
    viewers.push(pub);
    await until(() => controlsOf(pub).some((k) => k.id === 'led'), 'the publisher\'s controls on B', 10000);
    pub.ws.send(JSON.stringify({ type: 'control', id: 'led', value: 1 }));
    await until(() => errors(pub).length === 1, 'the refusal on B', 5000);
    assert.match(errors(pub)[0], /^led: the camera refused it: the LED is broken$/);
    pub.ws.send(JSON.stringify({ type: 'control', id: 'led', value: 0 }));
    pub.ws.send(JSON.stringify({ type: 'control', id: 'wb_mode', value: 2 }));
    await until(() => errors(pub).length === 2, 'the timeout on B', 8000);
    assert.match(errors(pub)[1], /^wb_mode: the camera did not answer within 3 s$/, 'the owner\'s own timeout, not the relay\'s');
    assert.deepEqual(camera.received.filter((m) => m.type === 'control').map((m) => `${m.id}=${m.value}`),
      ['led=1', 'wb_mode=2'], 'each request reached the camera once; led 0 was already in effect');
  } finally {
    clearInterval(pushing);
    camera.ws.close();
    viewers.forEach((v) => v.ws.close());
    for (const node of [a, b, c]) await node.stop();
    nats.stop();
  }
});

test('a clean stop says so at once; a frame larger than the NATS max_payload is refused with a clear log line', async () => {
  const nats = await startNatsCluster(2, { maxPayload: '16KB' });
  const a = await startWscam(['--nats', nats.natsArg(0), '--node', 'A', '--stream', 'big=testsrc:?size=640x480&fps=10&noise=30']);
  // Credentials in the URL (this test server takes any): they never reach the log.
  const b = await startWscam(['--nats', nats.natsArg(1).replaceAll('nats://', 'nats://wscam:hunter2@'), '--node', 'B']);
  try {
    await until(async () => (await streams(b)).some((s) => s.name === 'big' && s.online), 'big listed on B', 10000);
    assert.match(b.logs(), /cluster: connected to NATS nats:\/\/\*\*\*@127\.0\.0\.1:\d+/);
    assert.ok(!b.logs().includes('hunter2'), 'no NATS password in the log');
    const v = watch(`${b.wsUrl}/ws/big`);
    await v.opened;
    await until(() => /larger than the NATS max_payload \(16384 bytes\)/.test(a.logs()), 'the owner says why B gets no frames', 10000);
    assert.equal(v.frames.length, 0);
    const stoppedAt = performance.now();
    assert.equal(await a.stop(), 0);
    await until(() => v.texts.some((m) => m.type === 'status' && m.state === 'offline' && /node A shut down/.test(m.reason ?? '')),
      'offline: node A shut down', 3000);
    assert.ok(performance.now() - stoppedAt < 3000, 'at once, not after the heartbeat timeout');
    v.ws.close();
  } finally {
    await a.stop();
    await b.stop();
    nats.stop();
  }
});

test('a pushing camera that moves to another node: offline with the reason, then online from the new owner', async () => {
  const nats = await startNatsCluster(2);
  // A and B both take publishers for `pub`; the camera pushes to A first. C hears of B first,
  // while nobody has the camera: it must still follow the stream to A once A has it.
  const pushArgs = (node, i) => ['--nats', nats.natsArg(i), '--node', node, '--stream', 'pub=push:', '--publish-token', 'pub'];
  const b = await startWscam(pushArgs('B', 1));
  const c = await startWscam(['--nats', nats.natsArg(1), '--node', 'C']);
  await until(async () => (await streams(c)).some((s) => s.name === 'pub' && /node B/.test(s.source)), 'pub listed from B on C', 10000);
  const a = await startWscam(pushArgs('A', 0));
  const frames = makeFrames(2);
  const pushTo = (node) => {
    const ws = new WebSocket(`${node.wsUrl}/publish/pub?token=pub`);
    const timer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(frames[0]), 100);
    ws.on('close', () => clearInterval(timer));
    ws.on('error', () => {});
    return ws;
  };
  let camera = pushTo(a);
  let v = null;
  try {
    await until(async () => (await streams(c)).some((s) => s.name === 'pub' && s.online), 'pub listed online on C', 10000);
    v = watch(`${c.wsUrl}/ws/pub`);
    await v.opened;
    await until(() => v.frames.length >= 5, 'frames from A on C', 10000);
    assert.match((await streams(c)).find((s) => s.name === 'pub').source, /node A/);

    a.proc.kill('SIGKILL');  // the owner dies; its camera reconnects to B
    const diedAt = performance.now();
    await until(() => v.texts.some((m) => m.type === 'status' && m.state === 'offline' && /node A stopped answering/.test(m.reason ?? '')),
      'offline on C: node A stopped answering', 10000);
    camera = pushTo(b);
    await until(() => v.frames.some((f) => f.at > diedAt + 500) && v.texts.at(-1)?.state === 'online', 'online and frames from B on C', 10000);
    assert.match((await streams(c)).find((s) => s.name === 'pub').source, /node B/);
    const fromB = v.frames.filter((f) => f.at > diedAt);
    for (let i = 1; i < fromB.length; i++) assert.ok(fromB[i].seq > fromB[i - 1].seq, 'B\'s numbers rise');
    assert.equal(v.closed, null, 'C\'s viewer stayed connected');
  } finally {
    camera.close();
    v?.ws.close();
    for (const node of [a, b, c]) await node.stop();
    nats.stop();
  }
});

test('NATS with a password: the right one joins, a wrong one is refused with a clear log line and never logged', async () => {
  const nats = await startNatsCluster(1, { auth: { user: 'wscam', password: 's3cret-pw' } });
  const url = (password) => nats.urls[0].replace('nats://', `nats://wscam:${password}@`);
  const nodes = [];
  try {
    const a = await startWscam(['--nats', url('s3cret-pw'), '--node', 'A', '--stream', 'cam=testsrc:?size=320x240&fps=10']);
    nodes.push(a);
    const b = await startWscam(['--nats', url('s3cret-pw'), '--node', 'B']);
    nodes.push(b);
    // A wrong password: the node says why and keeps serving its own stream.
    const wrong = await startWscam(['--nats', url('guess-pw'), '--node', 'W', '--stream', 'own=testsrc:?size=160x120&fps=5']);
    nodes.push(wrong);
    await until(async () => (await streams(b)).some((s) => s.name === 'cam' && s.online), 'cam on B', 10000);
    const v = watch(`${b.wsUrl}/ws/cam`);
    await until(() => v.frames.length >= 3, 'frames on B', 10000);
    v.ws.close();
    await until(() => /cluster: NATS gave up on this node's connection \(.*\): the servers refused it, most likely the user and password in --nats/.test(wrong.logs()),
      'the refusal in the log', 10000);
    assert.deepEqual((await streams(wrong)).map((s) => s.name), ['own'], 'none of the cluster\'s streams, its own still served');
    const own = watch(`${wrong.wsUrl}/ws/own`);
    await until(() => own.frames.length >= 2, 'frames of its own stream', 10000);
    own.ws.close();
    for (const node of nodes)
      assert.ok(!node.logs().includes('s3cret-pw') && !node.logs().includes('guess-pw'), 'no NATS password in the log');
  } finally {
    for (const node of nodes) await node.stop();
    nats.stop();
  }
});

test('--nats and --node are checked at start: a usage error says why', async () => {
  const { spawnSync } = await import('node:child_process');
  const { WSCAM_BIN } = await import('./lib/wscam.mjs');
  const run = (args) => spawnSync(WSCAM_BIN, [...args, '--check-config'], { encoding: 'utf8' });
  const badNode = run(['--nats', 'nats://127.0.0.1:4222', '--node', 'a b']);
  assert.equal(badNode.status, 2);
  assert.match(badNode.stderr + badNode.stdout, /--node: 'a b' is not a node name/);
  const badUrl = run(['--nats', 'http://user:secret@127.0.0.1:4222']);
  assert.equal(badUrl.status, 2);
  assert.match(badUrl.stderr + badUrl.stdout, /--nats: '.*' is not a nats:\/\/ or tls:\/\/ URL/);
  assert.ok(!(badUrl.stderr + badUrl.stdout).includes('secret'), 'no password in the message');
  // A cluster node with no stream of its own: no test pattern appears.
  const relayOnly = run(['--nats', 'nats://127.0.0.1:4222']);
  assert.equal(relayOnly.status, 0, relayOnly.stderr);
  assert.match(relayOnly.stdout, /0 stream\(s\)/);
});
