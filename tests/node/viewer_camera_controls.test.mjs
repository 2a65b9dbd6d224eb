// The controls panel in real Chromium against cameras whose controls live outside wscam: a
// stand-in ESP32 CameraWebServer (lib/camera_web_server.mjs, /status + /control) and a `ws`
// publisher with its own control channel. Every change is made through the panel as a user
// would (click, fill, selectOption) and checked where it lands: on the camera, and in every
// page's panel and picture. esp32_controls and publisher_controls test the same paths
// without a browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';
import { startBoard } from './lib/camera_web_server.mjs';
import { makeFrames } from './lib/cameras.mjs';
import { launchChromium, waitFor } from './lib/browser.mjs';
import { sleep, until } from './lib/wait.mjs';

// WSCAM_WEB_ROOT=/path/to/src/web serves the page from disk (to try viewer.js without a rebuild).
const webRoot = process.env.WSCAM_WEB_ROOT ? ['--web-root', process.env.WSCAM_WEB_ROOT] : [];
const start = (args = []) => startWscam([...args, ...webRoot]);
const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

// Runs in the page before its own script: logs every text message the page sends.
function hookWebSocket() {
  const Native = window.WebSocket;
  const hook = { sent: [] };
  window.wsHook = hook;
  window.WebSocket = class extends Native {
    send(data) {
      if (typeof data === 'string') hook.sent.push(data);
      return super.send(data);
    }
  };
}

async function openHookedPage(url) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(hookWebSocket);
  await page.goto(url);
  return { page, errors };
}

const sentControls = (page) => page.evaluate(() => window.wsHook.sent.map((t) => JSON.parse(t))
  .filter((m) => m.type === 'control'));
const control = (page, id) => page.locator(`#controls-form [data-control="${id}"]`);

// What a page's panel shows for these controls: the input's value, and for a slider also the
// number printed next to its label.
const panelValues = (page, ids) => page.evaluate((list) => Object.fromEntries(list.map((id) => {
  const input = document.querySelector(`#controls-form [data-control="${id}"]`);
  if (!input) return [id, null];
  if (input.type === 'checkbox') return [id, input.checked ? '1' : '0'];
  const shown = input.type === 'range' ? input.parentElement.querySelector('span').textContent : input.value;
  return [id, input.value === shown ? input.value : `${input.value} (label says ${shown})`];
})), ids);

/** Waits until the page's panel shows `want` ({id: value}); on timeout, fails showing what it shows. */
async function expectPanel(page, want, what, timeoutMs = 8000) {
  const expected = Object.fromEntries(Object.entries(want).map(([id, v]) => [id, String(v)]));
  const ids = Object.keys(want);
  const started = Date.now();
  let shown;
  do {
    shown = await panelValues(page, ids);
    if (ids.every((id) => shown[id] === expected[id])) return;
    await sleep(50);
  } while (Date.now() - started < timeoutMs);
  assert.deepEqual(shown, expected, what);
}

// The names in the panel: each label's own text, without the value or options after it.
const controlNames = (page) => page.locator('#controls-form label').evaluateAll((labels) => labels.map((l) => l.firstChild.textContent));

const canvasSize = (page) => page.evaluate(() => {
  const c = document.getElementById('video');
  return `${c.width}x${c.height}`;
});

async function expectCanvas(page, size, what) {
  try {
    await waitFor(page, (s) => {
      const c = document.getElementById('video');
      return `${c.width}x${c.height}` === s;
    }, size, 10000);
  } catch {
    assert.equal(await canvasSize(page), size, what);
  }
}

async function waitForBoardPanel(page) {
  try {
    await waitFor(page, () => window.wscamStats.framesPainted > 2
      && document.querySelector('#controls-form [data-control="framesize"]') !== null);
  } catch {
    const seen = await page.evaluate(() => ({ framesPainted: window.wscamStats.framesPainted,
      controls: [...document.querySelectorAll('#controls-form [data-control]')].map((e) => e.dataset.control) }));
    assert.fail(`the board's controls never reached the panel: ${JSON.stringify(seen)}`);
  }
}

test('the controls of an emulated CameraWebServer are changed from the page and every viewer sees the change',
  async () => {
    const board = await startBoard({});
    const server = await start(['--source', `${board.streamUrl}#control=${board.controlUrl}`]);
    const [a, b] = [await openHookedPage(server.url), await openHookedPage(server.url)];
    try {
      for (const { page } of [a, b]) await waitForBoardPanel(page);
      for (const { page } of [a, b]) assert.equal(await canvasSize(page), '320x240', 'the board starts at QVGA');
      await expectPanel(b.page, { brightness: 0, wb_mode: 0, quality: 12, framesize: 6 }, 'page B starts at the board\'s values');

      await a.page.locator('#btn-controls').click();
      assert.ok(await a.page.locator('#controls').isVisible(), 'the panel opened');
      const names = await controlNames(a.page);
      for (const name of ['Resolution', 'Quality (lower is better)', 'Brightness', 'White balance', 'Auto white balance'])
        assert.ok(names.includes(name), `"${name}" in the panel: ${names}`);
      assert.equal(await control(a.page, 'brightness').getAttribute('type'), 'range');
      assert.equal(await control(a.page, 'wb_mode').evaluate((e) => e.tagName), 'SELECT');
      assert.equal(await control(a.page, 'awb').getAttribute('type'), 'checkbox');

      // One change at a time, each through the widget a user would use.
      const steps = [
        ['brightness', 2, () => control(a.page, 'brightness').fill('2')],
        ['wb_mode', 3, () => control(a.page, 'wb_mode').selectOption({ label: 'Office' })],
        ['quality', 20, () => control(a.page, 'quality').fill('20')],
        ['awb', 0, () => control(a.page, 'awb').uncheck()],
        ['framesize', 10, () => control(a.page, 'framesize').selectOption({ label: 'VGA 640x480' })],
      ];
      for (const [id, value, act] of steps) {
        await act();
        await until(() => board.state()[id] === value, `the board to have ${id}=${value} (it has ${board.state()[id]})`);
        await expectPanel(b.page, { [id]: value }, `page B shows ${id}=${value}`);
      }
      assert.deepEqual(board.controls, steps.map(([id, value]) => [id, value]), 'the board was asked once per change');
      const want = { brightness: 2, wb_mode: 3, quality: 20, awb: 0, framesize: 10 };
      for (const [name, { page }] of [['A', a], ['B', b]]) {
        await expectPanel(page, want, `page ${name} shows every new value`);
        await expectCanvas(page, '640x480', `page ${name} paints the board's VGA frames`);
      }
      assert.equal(await control(b.page, 'wb_mode').evaluate((s) => s.selectedOptions[0].label), 'Office');
      assert.equal(await control(b.page, 'framesize').evaluate((s) => s.selectedOptions[0].label), 'VGA 640x480');

      assert.deepEqual(await sentControls(a.page), steps.map(([id, value]) => ({ type: 'control', id, value })),
        'page A sent each change once');
      assert.deepEqual(await sentControls(b.page), [], 'page B only followed (no echo)');
      assert.equal(board.controls.length, steps.length, 'no further requests reached the board');

      // Some 30 controls: the panel scrolls, but nothing in it is wider than the panel.
      const overflow = await a.page.locator('#controls').evaluate((panel) => {
        const right = panel.getBoundingClientRect().right;
        return [...panel.querySelectorAll('label, input, select')]
          .filter((e) => e.getBoundingClientRect().right > right + 0.5).map((e) => e.dataset.control || e.textContent);
      });
      assert.deepEqual(overflow, [], 'nothing sticks out of the panel');
      await a.page.locator('#controls').evaluate((e) => { e.scrollTop = 0; });
      await a.page.screenshot({ path: `${OUT_DIR}/viewer-esp32-controls.png` });
      assert.deepEqual([...a.errors, ...b.errors], []);
    } finally {
      await a.page.close();
      await b.page.close();
      assert.equal(await server.stop(), 0);
      await board.close();
    }
  });

test('a value the board refuses shows an error on the page that asked, not on the other', async () => {
  const board = await startBoard({ refuse: ['wb_mode'] });
  const server = await start(['--source', `${board.streamUrl}#control=${board.controlUrl}`]);
  const [a, b] = [await openHookedPage(server.url), await openHookedPage(server.url)];
  try {
    for (const { page } of [a, b]) {
      await waitForBoardPanel(page);
      await page.locator('#btn-controls').click();  // both panels open: an error would be visible on either
    }
    const error = (page) => page.locator('#control-error');
    assert.equal(await error(a.page).isVisible(), false, 'no error before any change');

    await control(a.page, 'wb_mode').selectOption({ label: 'Cloudy' });
    await error(a.page).waitFor({ state: 'visible', timeout: 8000 });
    const text = await error(a.page).textContent();
    assert.match(text, /refused/);
    assert.equal(text, 'wb_mode=2: the board refused it (HTTP 500)');
    assert.deepEqual(board.controls, [['wb_mode', 2]], 'the board was asked');
    assert.equal(board.state().wb_mode, 0, 'and kept its value');

    // The page that asked goes back to the value in effect; the other never moved.
    await expectPanel(a.page, { wb_mode: 0 }, 'page A shows the value in effect again after the refusal');
    assert.equal(await control(a.page, 'wb_mode').evaluate((s) => s.selectedOptions[0].label), 'Auto');
    await sleep(300);
    assert.equal(await error(b.page).isVisible(), false, 'page B shows no error');
    assert.equal(await error(b.page).textContent(), '', 'page B was told nothing');
    await expectPanel(b.page, { wb_mode: 0 }, 'page B still shows the value in effect');
    await a.page.screenshot({ path: `${OUT_DIR}/viewer-esp32-error.png` });

    // Asking again asks the board again (the page did not keep the refused value as known).
    await control(a.page, 'wb_mode').selectOption({ label: 'Cloudy' });
    await until(() => board.controls.length === 2, 'the second request');
    await expectPanel(a.page, { wb_mode: 0 }, 'page A shows the value in effect after the second refusal');
    // A value the board accepts still goes through, and both pages show it.
    await control(a.page, 'brightness').fill('-1');
    await until(() => board.state().brightness === -1, 'brightness=-1 on the board');
    await expectPanel(b.page, { brightness: -1, wb_mode: 0 }, 'page B follows the accepted change');
    assert.equal(await error(b.page).isVisible(), false, 'page B still shows no error');
    assert.deepEqual(await sentControls(b.page), [], 'page B sent nothing');
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.page.close();
    await b.page.close();
    assert.equal(await server.stop(), 0);
    await board.close();
  }
});

test('a publisher\'s controls appear in the page and round-trip', async () => {
  const server = await start(['--stream', 'cam=push:', '--publish-token', 'pub']);
  const { page, errors } = await openHookedPage(`${server.url}/view/cam`);
  const frames = makeFrames(10);
  const camera = { received: [], ws: null, timer: null };
  try {
    await waitFor(page, () => window.wscamStats.state === 'offline');
    assert.equal(await page.locator('#btn-controls').isVisible(), false, 'no controls before a publisher');

    // A camera that clamps brightness to 1 and answers with what it applied, refuses Cloudy, and
    // accepts any other white balance.
    camera.ws = new WebSocket(`${server.wsUrl}/publish/cam?token=pub`);
    camera.ws.on('message', (data, binary) => {
      if (binary) return;
      const m = JSON.parse(data.toString());
      camera.received.push(m);
      if (m.type !== 'control') return;
      if (m.id === 'wb_mode' && m.value === 2)
        camera.ws.send(JSON.stringify({ type: 'error', id: m.id, reason: 'no clouds today' }));
      else
        camera.ws.send(JSON.stringify({ type: 'control_changed', id: m.id, value: m.id === 'brightness' ? Math.min(m.value, 1) : m.value }));
    });
    await new Promise((r, j) => { camera.ws.once('open', r); camera.ws.once('error', j); });
    camera.ws.send(makeFrames(1)[0]);
    camera.ws.send(JSON.stringify({ type: 'hello', controls: [
      { id: 'brightness', name: 'Brightness', type: 'int', min: -2, max: 2, step: 1, value: 0 },
      { id: 'wb_mode', name: 'White balance', type: 'menu', value: 0,
        options: [{ value: 0, label: 'Auto' }, { value: 1, label: 'Sunny' }, { value: 2, label: 'Cloudy' }] },
    ] }));
    let n = 0;
    camera.timer = setInterval(() => camera.ws.send(frames[n++ % frames.length]), 100);

    await page.locator('#btn-controls').waitFor({ state: 'visible', timeout: 8000 });
    await page.locator('#btn-controls').click();
    assert.ok(await page.locator('#controls').isVisible(), 'the panel opened');
    assert.deepEqual(await controlNames(page), ['Brightness', 'White balance'], 'the publisher\'s controls');
    assert.deepEqual(await control(page, 'wb_mode').locator('option').allTextContents(), ['Auto', 'Sunny', 'Cloudy']);
    await expectPanel(page, { brightness: 0, wb_mode: 0 }, 'the publisher\'s values');
    await waitFor(page, () => window.wscamStats.framesPainted > 2);

    await control(page, 'brightness').fill('2');
    await until(() => camera.received.some((m) => m.type === 'control'), 'the control message at the camera');
    await expectPanel(page, { brightness: 1 }, 'the page shows the value the camera applied (clamped to 1)');
    await control(page, 'wb_mode').selectOption({ label: 'Sunny' });
    await expectPanel(page, { brightness: 1, wb_mode: 1 }, 'the page shows the camera\'s answer');
    await control(page, 'wb_mode').selectOption({ label: 'Cloudy' });
    await page.locator('#control-error').waitFor({ state: 'visible', timeout: 8000 });
    assert.equal(await page.locator('#control-error').textContent(), 'wb_mode: the camera refused it: no clouds today');
    await expectPanel(page, { wb_mode: 1 }, 'after the camera\'s refusal the page shows the value in effect');
    assert.deepEqual(camera.received.filter((m) => m.type === 'control'), [
      { type: 'control', id: 'brightness', value: 2 },
      { type: 'control', id: 'wb_mode', value: 1 },
      { type: 'control', id: 'wb_mode', value: 2 },
    ], 'the camera got each change once');

    clearInterval(camera.timer);
    camera.ws.close();
    await page.locator('#btn-controls').waitFor({ state: 'hidden', timeout: 8000 });
    assert.equal(await page.locator('#controls').isVisible(), false, 'the panel closed');
    assert.equal(await page.locator('#controls-form [data-control]').count(), 0, 'the panel is empty');
    await waitFor(page, () => window.wscamStats.state === 'offline');
    assert.deepEqual(errors, []);
  } finally {
    clearInterval(camera.timer);
    camera.ws?.close();
    await page.close();
    assert.equal(await server.stop(), 0);
  }
});
