// An ESP32 CameraWebServer's controls through wscam, against a stand-in board with the real
// board's /status and /control semantics: found by themselves, changed from any viewer and
// seen by all, refusals and silence reported to the viewer who asked, frame sizes labelled
// for the board's firmware, re-read when the board comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam, jpegSize } from './lib/wscam.mjs';
import { startBoard } from './lib/camera_web_server.mjs';
import { sleep, until } from './lib/wait.mjs';

function viewer(url) {
  const v = { texts: [], frames: [], ws: new WebSocket(url, ['wscam.v1']) };
  v.ws.on('message', (data, binary) => {
    if (binary) v.frames.push(data.subarray(data[1])); else v.texts.push(JSON.parse(data.toString()));
  });
  v.opened = new Promise((r, j) => { v.ws.once('open', r); v.ws.once('error', j); });
  /** The newest list of controls this viewer was given (hello or controls message). */
  v.controls = () => v.texts.filter((m) => m.type === 'controls' || m.type === 'hello').at(-1)?.controls ?? [];
  v.control = (id) => v.controls().find((c) => c.id === id);
  v.send = (id, value) => v.ws.send(JSON.stringify({ type: 'control', id, value }));
  return v;
}

test('wscam finds a CameraWebServer\'s controls on port 80 by itself; changes reach the board and every viewer', async () => {
  // Its own loopback address, so the control API can be on port 80 like a real board's.
  const board = await startBoard({ host: '127.0.0.81', streamPort: 81, controlPort: 80 });
  const server = await startWscam(['--source', board.streamUrl]);
  const a = viewer(`${server.wsUrl}/ws`);
  const b = viewer(`${server.wsUrl}/ws`);
  try {
    await Promise.all([a.opened, b.opened]);
    await until(() => a.control('framesize') && b.control('framesize'), 'the board\'s controls', 10000);
    const ids = a.controls().map((c) => c.id);
    for (const id of ['framesize', 'quality', 'brightness', 'contrast', 'saturation', 'special_effect', 'awb', 'wb_mode',
      'aec', 'ae_level', 'aec_value', 'agc', 'agc_gain', 'gainceiling', 'hmirror', 'vflip', 'colorbar'])
      assert.ok(ids.includes(id), `${id} offered`);
    assert.ok(!ids.includes('sharpness'), 'sharpness is reported but not settable');
    assert.ok(!ids.includes('led_intensity'), 'no LED on this board');
    assert.deepEqual(a.control('quality'), { id: 'quality', name: 'Quality (lower is better)', type: 'int', min: 4, max: 63, step: 1, value: 12 });
    assert.deepEqual(a.control('wb_mode').options.map((o) => o.label), ['Auto', 'Sunny', 'Cloudy', 'Office', 'Home']);
    assert.equal(a.control('framesize').options.find((o) => o.value === 6).label, 'QVGA 320x240');
    assert.equal(a.control('framesize').options.find((o) => o.value === 10).label, 'VGA 640x480');

    const changedOn = (v, id) => v.texts.filter((m) => m.type === 'control_changed' && m.id === id).at(-1)?.value;
    for (const [id, value] of [['brightness', 2], ['wb_mode', 3], ['quality', 20], ['awb', 0]]) {
      a.send(id, value);
      await until(() => changedOn(a, id) === value && changedOn(b, id) === value, `${id} on every viewer`);
      assert.equal(board.state()[id], value, `the board has ${id}=${value}`);
    }
    assert.deepEqual(board.controls.slice(0, 4), [['brightness', 2], ['wb_mode', 3], ['quality', 20], ['awb', 0]]);
    for (const v of [a, b])
      for (const id of ['brightness', 'wb_mode', 'quality', 'awb'])
        assert.equal(v.texts.filter((m) => m.type === 'control_changed' && m.id === id).length, 1, `one control_changed for ${id}`);

    b.send('framesize', 10);  // VGA
    await until(() => changedOn(a, 'framesize') === 10, 'framesize on every viewer');
    // Both viewers get VGA frames (each its own socket: one may be a frame ahead of the other).
    await until(() => [a, b].every((v) => jpegSize(v.frames.at(-1))?.width === 640), 'VGA frames on every viewer');
    for (const v of [a, b]) assert.deepEqual(jpegSize(v.frames.at(-1)), { width: 640, height: 480 });

    // Setting what is in effect asks the board nothing.
    const asked = board.controls.length;
    a.send('brightness', 2);
    await sleep(300);
    assert.equal(board.controls.length, asked);
  } finally {
    a.ws.close();
    b.ws.close();
    const code = await server.stop();
    await board.close();
    assert.equal(code, 0, 'a clean exit');
  }
});

test('a value the board refuses, or a board that does not answer, is an error for the viewer who asked only', async () => {
  const board = await startBoard({ refuse: ['aec_value'] });
  const server = await startWscam(['--source', `${board.streamUrl}#control=${board.controlUrl}`]);
  const asker = viewer(`${server.wsUrl}/ws`);
  const other = viewer(`${server.wsUrl}/ws`);
  try {
    await Promise.all([asker.opened, other.opened]);
    await until(() => asker.control('aec_value'), 'controls');
    asker.send('aec_value', 300);
    await until(() => asker.texts.some((m) => m.type === 'error'), 'the refusal');
    assert.equal(asker.texts.find((m) => m.type === 'error').reason, 'aec_value=300: the board refused it (HTTP 500)');
    asker.send('quality', 70);  // outside 4–63: wscam refuses it without asking the board
    await until(() => asker.texts.filter((m) => m.type === 'error').length === 2, 'the range error');
    assert.match(asker.texts.filter((m) => m.type === 'error')[1].reason, /quality: .* is outside 4.*63/);
    await sleep(200);
    assert.equal(other.texts.filter((m) => m.type === 'error' || m.type === 'control_changed').length, 0);
    assert.ok(!board.controls.some(([name]) => name === 'quality'), 'the board was not asked');
  } finally {
    asker.ws.close();
    other.ws.close();
    const code = await server.stop();
    await board.close();
    assert.equal(code, 0, 'a clean exit');
  }
});

test('a board that stops answering /control: the viewer gets an error within the bound, frames keep flowing', async () => {
  const board = await startBoard({ hang: true });
  const server = await startWscam(['--source', `${board.streamUrl}#control=${board.controlUrl}`]);
  const v = viewer(`${server.wsUrl}/ws`);
  try {
    await v.opened;
    await until(() => v.control('brightness'), 'controls');
    const asked = Date.now();
    const framesBefore = v.frames.length;
    v.send('brightness', 1);
    await until(() => v.texts.some((m) => m.type === 'error'), 'the timeout error', 8000);
    const took = (Date.now() - asked) / 1000;
    assert.match(v.texts.find((m) => m.type === 'error').reason, /brightness: the board did not answer within 3 s/);
    assert.ok(took < 5, `error after ${took.toFixed(1)} s`);
    assert.ok(v.frames.length > framesBefore + 20, 'the stream never waited for the control call');
  } finally {
    v.ws.close();
    const code = await server.stop();
    await board.close();
    assert.equal(code, 0, 'a clean exit');
  }
});

test('older firmware: frame sizes labelled by the old numbering (checked against the frames), missing keys not offered', async () => {
  const board = await startBoard({ firmware: 'old' });  // framesize 5 = QVGA before 2.0.14 (6 = CIF)
  const server = await startWscam(['--source', `${board.streamUrl}#control=${board.controlUrl}`]);
  const v = viewer(`${server.wsUrl}/ws`);
  try {
    await v.opened;
    await until(() => v.control('framesize')?.options.find((o) => o.value === 5)?.label === 'QVGA 320x240',
      'old-firmware labels');
    assert.equal(v.control('framesize').options.find((o) => o.value === 8).label, 'VGA 640x480');
    assert.equal(v.control('vflip'), undefined, 'this firmware has no vflip');
    v.send('framesize', 8);
    await until(() => { const s = jpegSize(v.frames.at(-1) ?? Buffer.alloc(0)); return s && s.width === 640; }, 'VGA frames');
  } finally {
    v.ws.close();
    const code = await server.stop();
    await board.close();
    assert.equal(code, 0, 'a clean exit');
  }
});

test('#control=none turns the lookup off; a board that reboots has its defaults again and viewers see them', async () => {
  const board = await startBoard();
  const off = await startWscam(['--source', `${board.streamUrl}#control=none`]);
  const v0 = viewer(`${off.wsUrl}/ws`);
  await v0.opened;
  await until(() => v0.frames.length > 5, 'frames');
  await sleep(300);
  assert.deepEqual(v0.controls(), []);
  assert.doesNotMatch(off.logs(), /CameraWebServer/);
  v0.ws.close();
  assert.equal(await off.stop(), 0);

  const server = await startWscam(['--source', `${board.streamUrl}#control=${board.controlUrl}`, '--reconnect-delay', '0.05']);
  const v = viewer(`${server.wsUrl}/ws`);
  try {
    await v.opened;
    await until(() => v.control('brightness'), 'controls');
    v.send('brightness', -2);
    await until(() => v.control('brightness') && v.texts.some((m) => m.type === 'control_changed' && m.value === -2), 'the change');
    board.reboot();
    await until(() => v.texts.filter((m) => m.type === 'control_changed' && m.id === 'brightness').at(-1)?.value === 0,
      'the board\'s default brightness again', 10000);
  } finally {
    v.ws.close();
    const code = await server.stop();
    await board.close();
    assert.equal(code, 0, 'a clean exit');
  }
});
