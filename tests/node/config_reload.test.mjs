// SIGHUP reloads --config without a restart (issue 11, part 1): new streams start, removed ones
// close their viewers with a reason, a changed stream restarts only its source, viewers of
// untouched streams notice nothing; a file that fails is refused and the running one kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startWscam, upgradeStatus, jpegSize } from './lib/wscam.mjs';
import { until } from './lib/wait.mjs';

const dir = mkdtempSync(join(tmpdir(), 'wscam-reload-'));
const cfg = join(dir, 'wscam.toml');

const stream = (name, source, extra = '') => `[[stream]]\nname = "${name}"\nsource = "${source}"\n${extra}\n`;
const small = 'testsrc:?size=160x120&fps=10';

/** A wscam.v1 viewer that keeps every frame's arrival time and size, every text message and how it closed. */
function watch(url) {
  const ws = new WebSocket(url, 'wscam.v1');
  const v = { ws, frames: [], texts: [], closed: null };
  ws.on('message', (data, binary) => {
    if (!binary) return v.texts.push(JSON.parse(data.toString()));
    const jpeg = data.subarray(data[1]);
    v.frames.push({ at: performance.now(), size: jpegSize(jpeg) });
  });
  ws.on('close', (code, reason) => { v.closed = { code, reason: reason.toString() }; });
  ws.on('error', () => {});
  return v;
}

/** Reads an MJPEG response to its end, keeping the text that says how it ended. */
async function readMjpeg(url) {
  const res = await fetch(url);
  const r = { status: res.status, parts: 0, tail: '', done: null };
  r.done = (async () => {
    const decoder = new TextDecoder('latin1');
    for await (const chunk of res.body) {
      const text = decoder.decode(chunk);
      r.parts += (text.match(/--wscamframe\r\n/g) || []).length;
      r.tail = (r.tail + text).slice(-64);
    }
  })().catch((e) => { r.error = e; });
  return r;
}


const maxGap = (frames, from, to) => {
  const t = frames.filter((f) => f.at >= from && f.at <= to).map((f) => f.at);
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, t[i] - t[i - 1]);
  return gap;
};

test('SIGHUP applies the file: add, remove, restart only what changed, keep the rest untouched', async () => {
  writeFileSync(cfg, stream('keep', small) + stream('change', small) + stream('gone', small) +
    stream('pushy', 'push:', 'publish_token = "old-token"'));
  const server = await startWscam(['--config', cfg]);
  try {
    const keep = watch(`${server.wsUrl}/ws/keep`);
    const change = watch(`${server.wsUrl}/ws/change`);
    const gone = watch(`${server.wsUrl}/ws/gone`);
    const goneMjpeg = await readMjpeg(`${server.url}/stream/gone.mjpg`);
    assert.equal(goneMjpeg.status, 200);
    await until(() => keep.frames.length >= 5 && change.frames.length >= 5 && gone.frames.length >= 5 && goneMjpeg.parts >= 2,
      'frames on every stream');

    // A camera publishing to pushy with the old token.
    const jpeg = Buffer.from(await (await fetch(`${server.url}/snapshot/keep.jpg`)).arrayBuffer());
    const camera = new WebSocket(`${server.wsUrl}/publish/pushy?token=old-token`);
    const cameraClosed = new Promise((resolve) => camera.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    camera.on('error', () => {});
    await new Promise((resolve) => camera.on('open', resolve));
    camera.send(jpeg);
    await until(() => /publisher open stream=pushy/.test(server.logs()), 'the publisher is in');
    const keepTexts = keep.texts.length;

    writeFileSync(cfg, stream('keep', small) + stream('change', 'testsrc:?size=320x240&fps=10') +
      stream('pushy', 'push:', 'publish_token = "new-token"') + stream('added', small, 'view_token = "added-secret"'));
    const reloadAt = performance.now();
    server.proc.kill('SIGHUP');
    await until(() => /config reloaded from .*wscam\.toml: added=added removed=gone restarted=change,pushy unchanged=keep/.test(server.logs()),
      'the reload is logged with what it did');

    // Removed: WebSocket viewers closed with 4404 and the reason, the MJPEG response ends with its closing boundary.
    await until(() => gone.closed && goneMjpeg.tail.endsWith('--wscamframe--\r\n'), 'the removed stream\'s viewers are closed');
    assert.deepEqual(gone.closed, { code: 4404, reason: "stream 'gone' was removed from the configuration" });
    await goneMjpeg.done;
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/gone`), 404);
    assert.equal((await fetch(`${server.url}/snapshot/gone.jpg`)).status, 404);
    const names = (await (await fetch(`${server.url}/api/streams`)).json()).streams.map((s) => s.name);
    assert.deepEqual(names.sort(), ['added', 'change', 'keep', 'pushy']);
    // The server logs each close once its side of it has run, which may be after the client saw it.
    await until(() => /viewer closed stream=gone .*reason=stream 'gone' was removed from the configuration/.test(server.logs()),
      'the viewer\'s close line');
    await until(() => /mjpeg closed stream=gone .*reason=stream 'gone' was removed from the configuration/.test(server.logs()),
      'the MJPEG reader\'s close line');

    // Changed: the same connection now gets 320x240 frames, after being told the source went away for a moment.
    await until(() => change.frames.some((f) => f.at > reloadAt && f.size?.width === 320), 'the changed stream restarts with its new size');
    assert.equal(change.closed, null, 'its viewers stay connected');
    assert.ok(change.texts.some((m) => m.type === 'status' && m.state === 'offline'), JSON.stringify(change.texts));
    assert.match(server.logs(), /stream=change source=testsrc:\?size=320x240.* \(restarted: configuration changed\)/);

    // Untouched: no status, no reconnect, frames at the usual pace through the reload.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(keep.closed, null);
    assert.deepEqual(keep.texts.slice(keepTexts), [], 'no message about the reload');
    const before = maxGap(keep.frames, reloadAt - 2000, reloadAt);
    const across = maxGap(keep.frames, reloadAt - 100, reloadAt + 1000);
    assert.ok(across < Math.max(350, 2.5 * before), `gap across the reload ${across.toFixed(0)} ms (before: ${before.toFixed(0)} ms)`);
    assert.ok(keep.frames.every((f) => f.size?.width === 160));

    // The push stream restarted with a new token: its publisher was told to leave; only the new token gets in.
    const left = await cameraClosed;
    assert.equal(left.reason, 'stream stopped');
    assert.equal(await upgradeStatus(`${server.wsUrl}/publish/pushy?token=old-token`), 401);
    const again = new WebSocket(`${server.wsUrl}/publish/pushy?token=new-token`);
    again.on('error', () => {});
    await new Promise((resolve) => again.on('open', resolve));
    again.close();

    // Added, with its own token.
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/added`), 401);
    const added = watch(`${server.wsUrl}/ws/added?token=added-secret`);
    await until(() => added.frames.length >= 2, 'the new stream serves frames');
    assert.doesNotMatch(server.logs(), /added-secret|new-token|old-token/, 'tokens are never logged');
    for (const v of [keep, change, added]) v.ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a file that fails is refused with a log line and the running streams keep serving', async () => {
  writeFileSync(cfg, stream('keep', small));
  const server = await startWscam(['--config', cfg]);
  try {
    const keep = watch(`${server.wsUrl}/ws/keep`);
    await until(() => keep.frames.length >= 3, 'frames');
    const reloads = () => (server.logs().match(/received SIGHUP/g) || []).length;
    const cases = [
      ['[[stream]\nname = "x"\n', /config reload refused, keeping the running configuration: .*wscam\.toml:1:\d+: /],
      [stream('keep', small) + stream('bad', 'rtsp://cam/'), /config reload refused, keeping the running configuration: .*wscam\.toml:\d+: stream bad: source scheme 'rtsp:' is not supported/],
      ['prot = 80\n' + stream('keep', small), /config reload refused, .*wscam\.toml:1: unknown setting 'prot'/],
    ];
    for (const [text, expected] of cases) {
      writeFileSync(cfg, text);
      const n = reloads();
      server.proc.kill('SIGHUP');
      await until(() => expected.test(server.logs()), `refused: ${text}`);
      assert.equal(reloads(), n + 1);
    }
    assert.doesNotMatch(server.logs(), /config reloaded/);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/bad`), 404);
    const count = keep.frames.length;
    await until(() => keep.frames.length >= count + 3, 'the running stream still serves');
    assert.equal(keep.closed, null);

    // A setting only a restart can apply: said so, and the streams are still reloaded.
    writeFileSync(cfg, 'max_connections = 5000\n' + stream('keep', small) + stream('two', small));
    server.proc.kill('SIGHUP');
    await until(() => /config reloaded from .*added=two/.test(server.logs()), 'the streams are applied');
    assert.match(server.logs(), /config reload: max-connections changed; it will take effect when wscam starts again/);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/two`), 101);
    keep.ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
