// Motion events over MQTT (issue 24), against Debian's real mosquitto broker and mosquitto_sub:
// the state, event and snapshot topics, Home Assistant's discovery, availability with a last will,
// a broker that is down or refuses, and credentials that never reach the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { crossing } from './lib/motion_scenes.mjs';
import { freePort, startBroker, subscribe } from './lib/mosquitto.mjs';
import { sleep, until } from './lib/wait.mjs';

const on = (sub, topic) => sub.messages.filter((m) => m.topic === topic);

test('mosquitto_sub sees each event as state, event JSON and retained snapshot, and Home Assistant discovery under one device', async () => {
  const broker = await startBroker();
  const sub = subscribe(broker.port, ['#']);
  const dir = mkdtempSync(join(tmpdir(), 'wscam-mqtt-'));
  const scene = crossing({ seconds: 2, period: 5 });
  const server = await startWscam(['--stream', `cross=${scene.uri}`, '--motion', '--motion-cooldown', '1s', '--record-dir', dir,
    '--mqtt', `mqtt://127.0.0.1:${broker.port}`, '--node', 'hall']);
  try {
    await until(() => on(sub, 'wscam/cross/event').filter((m) => JSON.parse(m.text).state === 'end').length >= 2, 'two events, ended', 25000);
    // Discovery: what Home Assistant's MQTT discovery reads, retained.
    const sensor = on(sub, 'homeassistant/binary_sensor/hall/cross_motion/config');
    assert.equal(sensor.length, 1);
    const s = JSON.parse(sensor[0].text);
    assert.equal(s.device_class, 'motion');
    assert.equal(s.state_topic, 'wscam/cross/motion');
    assert.equal(s.payload_on, 'ON');
    assert.equal(s.payload_off, 'OFF');
    assert.equal(s.unique_id, 'wscam_hall_cross_motion');
    assert.equal(s.availability_topic, 'wscam/availability');
    assert.equal(s.json_attributes_topic, 'wscam/cross/event');
    assert.deepEqual(s.device.identifiers, ['wscam_hall']);
    const camera = JSON.parse(on(sub, 'homeassistant/camera/hall/cross_snapshot/config')[0].text);
    assert.equal(camera.topic, 'wscam/cross/snapshot');
    assert.equal(camera.unique_id, 'wscam_hall_cross_snapshot');
    assert.deepEqual(camera.device, s.device, 'one device for the wscam');
    assert.deepEqual(on(sub, 'wscam/availability').map((m) => m.text), ['online']);

    const list = (await (await fetch(`${server.url}/api/events/cross`)).json()).events.reverse();
    const told = on(sub, 'wscam/cross/event').map((m) => JSON.parse(m.text));
    assert.deepEqual(told.map((e) => `${e.state}:${e.id}`), list.slice(0, 2).flatMap((e) => [`start:${e.id}`, `end:${e.id}`]));
    assert.deepEqual(told[1].box, list[0].box);
    assert.equal(told[1].end_us, list[0].end_us);
    assert.deepEqual(on(sub, 'wscam/cross/motion').map((m) => m.text).slice(0, 5), ['OFF', 'ON', 'OFF', 'ON', 'OFF']);
    // The state and the event soon after the first picture with motion (measured properly in bench/).
    const onAt = on(sub, 'wscam/cross/motion').filter((m) => m.text === 'ON').map((m) => m.at);
    for (const [i, at] of onAt.slice(0, 2).entries()) {
      const late = at - list[i].start_us / 1000;
      assert.ok(late < 1000, `ON reached mosquitto_sub ${late} ms after the first picture with motion`);
    }
    // The snapshot is the event's, and it stays (retained) for whoever subscribes later.
    const last = list[1];
    const jpeg = Buffer.from(await (await fetch(`${server.url}${last.snapshot}`)).arrayBuffer());
    assert.ok(on(sub, 'wscam/cross/snapshot').some((m) => m.payload.equals(jpeg)), 'the snapshot went out');
    const later = spawnSync('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'wscam/cross/snapshot', '-C', '1', '-W', '3',
      '-F', '%r %x']);
    const [retained, hex] = String(later.stdout).trim().split(' ');
    assert.equal(retained, '1');
    assert.ok(Buffer.from(hex, 'hex').equals(jpeg), 'a late subscriber gets the newest snapshot');
    assert.equal(Buffer.from(hex, 'hex').subarray(0, 2).toString('hex'), 'ffd8');
  } finally {
    await server.stop();
  }
  await until(() => on(sub, 'wscam/availability').at(-1)?.text === 'offline', 'offline on a clean stop', 5000);
  // A wscam that dies says nothing itself: the broker says its last will.
  const killed = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--motion', '--record-dir', dir,
    '--mqtt', `mqtt://127.0.0.1:${broker.port}`, '--node', 'hall']);
  try {
    await until(() => on(sub, 'wscam/availability').at(-1)?.text === 'online', 'online again', 5000);
    killed.proc.kill('SIGKILL');
    await until(() => on(sub, 'wscam/availability').at(-1)?.text === 'offline', 'the last will says offline', 5000);
  } finally {
    await killed.stop();
    sub.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broker that is down at start or refuses the password never stops the streams; wscam connects when it can, and never logs the password', async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wscam-mqtt-'));
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120&fps=10', '--motion', '--record-dir', dir,
    '--mqtt', `mqtt://cam:s3cr3t-word@127.0.0.1:${port}`]);
  let broker;
  try {
    await until(async () => (await fetch(`${server.url}/snapshot/cam.jpg`)).status === 200, 'served with no broker');
    await until(() => /mqtt mqtt:\/\/cam:\*\*\*@127\.0\.0\.1:\d+: cannot connect: Connection refused; retrying/.test(server.logs()), 'the failure is said');
    await sleep(1500);
    const failures = server.logs().match(/mqtt .*retrying/g) || [];
    assert.equal(failures.length, 1, `said once per change, not per retry: ${failures}`);
    // A broker that wants another password: refused, said once.
    // (mosquitto started as root reads it as the mosquitto user.)
    const pwfile = join(dir, 'passwd');
    chmodSync(dir, 0o755);
    assert.equal(spawnSync('mosquitto_passwd', ['-c', '-b', pwfile, 'cam', 'other']).status, 0);
    chmodSync(pwfile, 0o644);
    broker = await startBroker({ port, extra: `allow_anonymous false\npassword_file ${pwfile}\n` });
    await until(() => /mqtt mqtt:\/\/cam:\*\*\*@127\.0\.0\.1:\d+: the broker refused: Connection Refused: not authorised; retrying/.test(server.logs()), 'the refusal is said', 40000);
    await sleep(2500);
    assert.equal((server.logs().match(/not authorised/g) || []).length, 1, 'a refusal said once, however often it is retried');
    await broker.stop();
    // The right password: connected within the backoff (at most 30 s), then announced.
    assert.equal(spawnSync('mosquitto_passwd', ['-c', '-b', pwfile, 'cam', 's3cr3t-word']).status, 0);
    chmodSync(pwfile, 0o644);
    broker = await startBroker({ port, extra: `allow_anonymous false\npassword_file ${pwfile}\n` });
    await until(() => /mqtt mqtt:\/\/cam:\*\*\*@127\.0\.0\.1:\d+: connected/.test(server.logs()), 'connected when the broker came', 40000);
    const seen = spawnSync('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-u', 'cam', '-P', 's3cr3t-word', '-t', 'wscam/availability',
      '-C', '1', '-W', '3']);
    assert.equal(String(seen.stdout).trim(), 'online');
    assert.equal((await fetch(`${server.url}/snapshot/cam.jpg`)).status, 200);
    assert.doesNotMatch(server.logs(), /s3cr3t-word/, 'the password never reaches the log');
  } finally {
    await server.stop();
    if (broker) await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [bad, why] of [['http://x', /give mqtt:\/\//], ['mqtt://', /no broker host/], ['mqtt://h:0', /port/],
    ['mqtt://u:p@h/x', /no path/], ['mqtt://:p@h', /needs a user/]]) {
    const r = spawnSync(process.env.WSCAM_BIN || join(import.meta.dirname, '../../build/wscam'), ['--mqtt', bad], { encoding: 'utf8' });
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, why, bad);
    assert.doesNotMatch(r.stderr, /:p@/, 'no password in the message');
  }
});

test('a broker that takes messages and drops the connection again and again is not sent old ones again (nothing piles up)', async () => {
  // A fake broker: CONNACK, read every packet, never acknowledge one, close after 0.4 s. With QoS 1,
  // libmosquitto kept what was not acknowledged and sent it again at each connect, more each time
  // (an attack review measured 1 GB an hour). Each PUBLISH's fixed header says its QoS and DUP.
  const { createServer } = await import('node:net');
  const publishes = [];
  let connects = 0;
  const broker = createServer((socket) => {
    connects++;
    let buf = Buffer.alloc(0);
    let connected = false;
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        // One MQTT packet: type byte, remaining length (varint), body.
        let len = 0, mult = 1, i = 1;
        for (; i < buf.length && i < 5; ++i) { len += (buf[i] & 127) * mult; mult *= 128; if (!(buf[i] & 128)) break; }
        if (i >= buf.length || buf.length < i + 1 + len) return;
        const type = buf[0] >> 4;
        if (type === 1 && !connected) { connected = true; socket.write(Buffer.from([0x20, 2, 0, 0])); }
        if (type === 3) publishes.push({ qos: (buf[0] >> 1) & 3, dup: (buf[0] >> 3) & 1, connect: connects });
        buf = buf.subarray(i + 1 + len);
      }
    });
    socket.on('error', () => {});
    setTimeout(() => socket.destroy(), 400);
  });
  await new Promise((r) => broker.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'wscam-mqtt-'));
  const server = await startWscam(['--stream', `cross=${crossing({ seconds: 1, period: 3 }).uri}`, '--motion', '--motion-cooldown', '0.5s',
    '--record-dir', dir, '--mqtt', `mqtt://127.0.0.1:${broker.address().port}`]);
  try {
    await until(() => connects >= 6 && publishes.some((p) => p.connect >= 6), 'six connections with messages', 40000);
    assert.ok(publishes.length > 10);
    assert.deepEqual(publishes.filter((p) => p.qos !== 0 || p.dup), [], 'every message QoS 0, none sent again');
    // What each connect carries stays the same size: availability, 2 discovery configs, state (and a snapshot once there is one).
    const per = {};
    for (const p of publishes) per[p.connect] = (per[p.connect] || 0) + 1;
    assert.ok(Math.max(...Object.values(per)) <= 12, `messages per connection: ${JSON.stringify(per)}`);
  } finally {
    await server.stop();
    broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
