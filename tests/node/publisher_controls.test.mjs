// A pushing camera's control channel against the real binary: the publisher announces its
// controls, viewers see them appear (and go), changes round-trip through the camera, and a
// camera that does not answer makes an error for the viewer who asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';
import { makeFrames } from './lib/cameras.mjs';
import { sleep, until } from './lib/wait.mjs';

function client(url, protocols) {
  const c = { texts: [], ws: new WebSocket(url, protocols) };
  c.ws.on('message', (data, binary) => { if (!binary) c.texts.push(JSON.parse(data.toString())); });
  c.opened = new Promise((r, j) => { c.ws.once('open', r); c.ws.once('error', j); });
  return c;
}

const controls = [
  { id: 'brightness', name: 'Brightness', type: 'int', min: -2, max: 2, step: 1, value: 0 },
  { id: 'wb_mode', name: 'White balance', type: 'menu', value: 0,
    options: [{ value: 0, label: 'Auto' }, { value: 1, label: 'Sunny' }, { value: 2, label: 'Cloudy' }] },
];

test('a publisher\'s controls appear for viewers, round-trip through the camera, and leave with it', async () => {
  const server = await startWscam(['--stream', 'cam=push:', '--publish-token', 'pub']);
  const early = client(`${server.wsUrl}/ws/cam`, ['wscam.v1']);
  const camera = { received: [], ws: new WebSocket(`${server.wsUrl}/publish/cam?token=pub`) };
  camera.ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    camera.received.push(m);
    // A camera that clamps brightness to 1 and answers with what it applied; wb_mode it never answers.
    if (m.type === 'control' && m.id === 'brightness')
      camera.ws.send(JSON.stringify({ type: 'control_changed', id: m.id, value: Math.min(m.value, 1) }));
  });
  try {
    await early.opened;
    await until(() => camera.ws.readyState === WebSocket.OPEN, 'the camera\'s connection');
    camera.ws.send(JSON.stringify({ type: 'hello', controls }));
    camera.ws.send(makeFrames(1)[0]);
    await until(() => early.texts.some((m) => m.type === 'controls' && m.controls.length === 2), 'the controls message');
    const late = client(`${server.wsUrl}/ws/cam`, ['wscam.v1']);
    await late.opened;
    await until(() => late.texts.some((m) => m.type === 'hello'), 'hello');
    const hello = late.texts.find((m) => m.type === 'hello');
    assert.deepEqual(hello.controls.map((c) => c.id), ['brightness', 'wb_mode']);
    assert.equal(hello.controls[1].options[1].label, 'Sunny');

    late.ws.send(JSON.stringify({ type: 'control', id: 'brightness', value: 2 }));
    await until(() => early.texts.some((m) => m.type === 'control_changed'), 'control_changed');
    assert.deepEqual(camera.received.filter((m) => m.type === 'control'), [{ type: 'control', id: 'brightness', value: 2 }]);
    const changed = early.texts.find((m) => m.type === 'control_changed');
    assert.deepEqual(changed, { type: 'control_changed', stream: 'cam', id: 'brightness', value: 1 }, 'the value in effect');

    late.ws.send(JSON.stringify({ type: 'control', id: 'wb_mode', value: 7 }));  // not one of its options
    await until(() => late.texts.some((m) => m.type === 'error'), 'the refusal');
    assert.match(late.texts.find((m) => m.type === 'error').reason, /not one of its options/);
    const asked = Date.now();
    late.ws.send(JSON.stringify({ type: 'control', id: 'wb_mode', value: 2 }));
    await until(() => late.texts.filter((m) => m.type === 'error').length === 2, 'the timeout error');
    const took = (Date.now() - asked) / 1000;
    assert.match(late.texts.filter((m) => m.type === 'error')[1].reason, /did not answer within 3 s/);
    assert.ok(took >= 2.5 && took < 6, `error after ${took.toFixed(1)} s`);
    assert.equal(early.texts.filter((m) => m.type === 'error').length, 0, 'only the viewer who asked hears of it');

    camera.ws.close();
    await until(() => early.texts.some((m) => m.type === 'controls' && m.controls.length === 0), 'the controls to leave');
    late.ws.close();
  } finally {
    early.ws.close();
    assert.equal(await server.stop(), 0);
  }
});
