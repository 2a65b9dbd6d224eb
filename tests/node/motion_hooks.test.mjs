// Motion events to webhooks and to a program (issue 24), against the real binary: signed POSTs to
// receivers written here with node:http (one that hangs, one that fails before it works, one that
// wants other streams), and `--event-exec` with the event on its stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { crossing } from './lib/motion_scenes.mjs';
import { sleep, until } from './lib/wait.mjs';

/** A webhook receiver: `answer(n)` gives the status of its n-th request (0 from the first), or null to never answer. */
async function receiver(answer = () => 200) {
  const got = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const n = got.length;
      got.push({ at: Date.now(), headers: req.headers, method: req.method, url: req.url, body });
      const status = answer(n);
      if (status === null) return;  // hangs
      res.writeHead(status).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${server.address().port}`, close: () => { server.closeAllConnections(); server.close(); } };
}

test('webhooks get signed POSTs of each start and end; a hanging or failing one is retried within bounds and delays no other', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-hooks-'));
  const good = await receiver();
  const hanging = await receiver(() => null);
  const flaky = await receiver((n) => (n < 2 ? 500 : 200));
  const elsewhere = await receiver();
  const scene = crossing({ seconds: 1.5, period: 4 });
  const config = join(dir, 'wscam.toml');
  writeFileSync(config, [
    `[[stream]]\nname = "cross"\nsource = ${JSON.stringify(scene.uri)}\nmotion = true\nmotion_cooldown = "1s"\n`,
    `[[webhook]]\nurl = "${good.url}/hook?x=1"\nsecret = "s3cret"\n`,
    `[[webhook]]\nurl = "${hanging.url}/"\ntimeout = 1\nretries = 1\n`,
    `[[webhook]]\nurl = "${flaky.url}/"\nsecret = "k"\nretries = 3\n`,
    `[[webhook]]\nurl = "${elsewhere.url}/"\nstreams = ["yard"]\n`,
  ].join('\n'));
  const server = await startWscam(['--config', config, '--record-dir', dir]);
  try {
    await until(() => good.got.length >= 4, 'two events, started and ended, at the good receiver', 20000);
    const list = (await (await fetch(`${server.url}/api/events/cross`)).json()).events.reverse();
    const posts = good.got.slice(0, 4);
    assert.deepEqual(posts.map((p) => `${JSON.parse(p.body).state}:${JSON.parse(p.body).event.id}`),
      list.slice(0, 2).flatMap((e) => [`start:${e.id}`, `end:${e.id}`]));
    for (const p of posts) {
      assert.equal(p.method, 'POST');
      assert.equal(p.url, '/hook?x=1');
      assert.equal(p.headers['content-type'], 'application/json');
      assert.equal(p.headers['x-wscam-event'], 'motion');
      const body = JSON.parse(p.body);
      assert.equal(body.type, 'event');
      assert.equal(p.headers['x-wscam-delivery'], `cross-${body.event.id}-${body.state}`);
      const expected = `sha256=${createHmac('sha256', 's3cret').update(p.body).digest('hex')}`;
      assert.equal(p.headers['x-wscam-signature-256'], expected, 'signed with the hook\'s secret over the body as sent');
      assert.match(p.headers['user-agent'], /^wscam\//);
    }
    const firstStart = posts[0].at - list[0].start_us / 1000;
    assert.ok(firstStart < 1000, `the start reached the webhook ${firstStart} ms after the first picture with motion`);
    // The hanging hook: each event reached it on time (deliveries run side by side), each tried twice.
    const startsAtHanging = hanging.got.filter((p) => JSON.parse(p.body).state === 'start');
    const second = startsAtHanging.find((p) => JSON.parse(p.body).event.id === list[1].id);
    assert.ok(second, 'the second event was sent to the hanging hook too');
    assert.ok(second.at - list[1].start_us / 1000 < 1000, 'not queued behind the first event\'s hung attempts');
    await until(() => /webhook http:\/\/127\.0\.0\.1:\d+\/: no answer within 1000 ms; trying again/.test(server.logs()), 'the hang is said');
    await until(() => /webhook http:\/\/127\.0\.0\.1:\d+\/: gave up on cross-\d+-start after 2 attempts/.test(server.logs()), 'and given up');
    assert.equal((server.logs().match(/no answer within 1000 ms/g) || []).length, 1, 'said once, not per attempt');
    // The flaky hook: 500 twice, then delivered; every event arrived in the end.
    await until(() => flaky.got.filter((p) => JSON.parse(p.body).state === 'end').length >= 2, 'the flaky hook gets them all', 15000);
    assert.match(server.logs(), /webhook http:\/\/127\.0\.0\.1:\d+\/: answered 500 Internal Server Error; trying again/);
    assert.match(server.logs(), /webhook http:\/\/127\.0\.0\.1:\d+\/: delivering again/);
    assert.equal(elsewhere.got.length, 0, 'a hook for other streams gets nothing');
    assert.doesNotMatch(server.logs(), /s3cret/);
  } finally {
    await server.stop();
    for (const r of [good, hanging, flaky, elsewhere]) r.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--event-exec runs a program per start and end with the event on stdin; one that hangs is ended and the next runs on time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-hooks-'));
  const out = join(dir, 'events.jsonl');
  const once = join(dir, 'once');
  // The first run hangs (it is ended after the timeout); the rest return at once.
  const script = join(dir, 'hook.sh');
  writeFileSync(script, `#!/bin/sh\ncat >> ${out}\necho "seen $$"\nprintf '%s|%s' "$1" "$2" > ${out}.args\nif [ ! -e ${once} ]; then touch ${once}; sleep 30; fi\n`, { mode: 0o755 });
  const scene = crossing({ seconds: 1.5, period: 4 });
  const server = await startWscam(['--stream', `cross=${scene.uri}`, '--motion', '--motion-cooldown', '1s', '--record-dir', dir,
    '--event-exec', `${script} --flag 'two words'`, '--event-exec-timeout', '1.5']);
  try {
    await until(() => existsSync(out) && readFileSync(out, 'utf8').trim().split('\n').length >= 4, 'four runs', 20000);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const list = (await (await fetch(`${server.url}/api/events/cross`)).json()).events.reverse();
    assert.deepEqual(lines.slice(0, 4).map((l) => `${l.state}:${l.event.id}`), list.slice(0, 2).flatMap((e) => [`start:${e.id}`, `end:${e.id}`]));
    assert.equal(lines[0].type, 'event');
    assert.equal(readFileSync(`${out}.args`, 'utf8'), "--flag|two words", 'the command line split as a shell would, with no shell');
    assert.match(server.logs(), /event exec .*hook\.sh: seen \d+/, 'its output is logged');
    await until(() => /event exec .*hook\.sh: still running after 1500 ms: ended/.test(server.logs()), 'the hanging run is ended');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a webhook receiver\'s reason phrase reaches the log sanitised, short and once; a webhook URL\'s password never reaches a message', async () => {
  const { createServer: createTcp } = await import('node:net');
  const { spawnSync } = await import('node:child_process');
  let n = 0;
  // Each answer a 500 with a different 3 KB reason phrase of bytes that are no UTF-8.
  const raw = createTcp((socket) => {
    socket.on('data', () => {
      const reason = Buffer.alloc(3000, 0x80 + (n++ % 64));
      socket.end(Buffer.concat([Buffer.from('HTTP/1.1 500 '), reason, Buffer.from('\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')]));
    });
    socket.on('error', () => {});
  });
  await new Promise((r) => raw.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'wscam-hooks-'));
  const config = join(dir, 'wscam.toml');
  writeFileSync(config, `[[stream]]\nname = "cross"\nsource = ${JSON.stringify(crossing({ seconds: 1, period: 3 }).uri)}\nmotion = true\n` +
    `motion_cooldown = "0.5s"\n[[webhook]]\nurl = "http://127.0.0.1:${raw.address().port}/"\nretries = 2\n`);
  const server = await startWscam(['--config', config, '--record-dir', dir]);
  try {
    await until(() => n >= 8, 'several refused deliveries', 30000);
    const lines = server.logs().split('\n').filter((l) => /webhook .*answered 500/.test(l));
    assert.equal(lines.length, 1, `once per change of state, not per reason: ${lines.length} lines`);
    assert.ok(lines[0].length < 300, `short: ${lines[0].length} characters`);
    assert.doesNotMatch(lines[0], /[\u0080-\u009f]/, 'no control characters');
  } finally {
    await server.stop();
    raw.close();
  }
  writeFileSync(config, '[[webhook]]\nurl = "http://hook:TOPSECRET@127.0.0.1:0/x"\n');
  const bin = process.env.WSCAM_BIN || new URL('../../build/wscam', import.meta.url).pathname;
  const refused = spawnSync(bin, ['--config', config, '--check-config'], { encoding: 'utf8' });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /wscam\.toml:1: webhook url: /);
  assert.doesNotMatch(refused.stderr, /TOPSECRET/);
  rmSync(dir, { recursive: true, force: true });
});
