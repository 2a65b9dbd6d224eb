// The viewer's control panel, stream switching, frame-header checks and pausing, in real Chromium.
// The page's WebSocket is wrapped by an init script (hookWebSocket) so a test can count what the
// page sends and receives, and feed it crafted binary messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';
import { launchChromium, stats, waitFor } from './lib/browser.mjs';
import { until } from './lib/wait.mjs';

// WSCAM_WEB_ROOT=/path/to/src/web serves the page from disk (to try viewer.js without a rebuild).
const webRoot = process.env.WSCAM_WEB_ROOT ? ['--web-root', process.env.WSCAM_WEB_ROOT] : [];
const start = (args = []) => startWscam([...args, ...webRoot]);

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs in the page before its own script: every WebSocket it opens is kept in window.wsHook.sockets,
// and every text message sent or received is logged (socket index, text).
function hookWebSocket(hidden) {
  const Native = window.WebSocket;
  const hook = { sockets: [], sent: [], received: [] };
  window.wsHook = hook;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      const index = hook.sockets.push(this) - 1;
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string') hook.received.push({ socket: index, text: e.data });
      });
    }

    send(data) {
      hook.sent.push({ socket: hook.sockets.indexOf(this), text: data });
      return super.send(data);
    }
  };
  if (hidden) {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  }
}

async function openHookedPage(url, { hidden = false } = {}) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const errors = [];
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(hookWebSocket, hidden);
  await page.goto(url);
  return { page, errors, warnings };
}

// The page's logged messages, parsed; `sent` or `received`.
const logged = (page, which) => page.evaluate((w) => window.wsHook[w].map((m) => ({ ...m, msg: JSON.parse(m.text) })), which);
const clearLog = (page) => page.evaluate(() => { window.wsHook.sent.length = 0; window.wsHook.received.length = 0; });

function connectClient(url) {
  const ws = new WebSocket(url, ['wscam.v1']);
  const texts = [];
  ws.on('message', (data, isBinary) => { if (!isBinary) texts.push(JSON.parse(data.toString())); });
  const hello = new Promise((resolve, reject) => {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) { const m = JSON.parse(data.toString()); if (m.type === 'hello') resolve(m); }
    });
    ws.once('error', reject);
  });
  return { ws, texts, hello };
}

test('two open pages and a third client\'s change: each page sees exactly one control_changed per change, '
  + 'and the server receives no control messages from the pages', async () => {
  const server = await start(['--source', 'testsrc:?size=320x240&fps=15']);
  const pages = [await openHookedPage(server.url), await openHookedPage(server.url)];
  const client = connectClient(`${server.wsUrl}/ws/default`);
  try {
    for (const { page } of pages) {
      await waitFor(page, () => window.wscamStats.framesPainted > 2
        && document.querySelector('input[data-control="brightness"]') !== null);
    }
    const hello = await client.hello;
    const brightness = hello.controls.find((c) => c.id === 'brightness');
    assert.ok(brightness, 'the test pattern has a brightness control');
    const values = [brightness.value === 40 ? 30 : 40, -20];  // two changes, each to a new value
    for (const { page } of pages) await clearLog(page);
    const logBefore = server.logs();

    for (const value of values) {
      client.ws.send(JSON.stringify({ type: 'control', id: 'brightness', value }));
      await sleep(2000);
    }

    const changes = (msgs) => msgs.filter((m) => m.type === 'control_changed').map((m) => m.value);
    assert.deepEqual(changes(client.texts), values, 'the third client sees one control_changed per change');
    for (const [i, { page, errors }] of pages.entries()) {
      const received = (await logged(page, 'received')).map((m) => m.msg);
      assert.deepEqual(changes(received), values, `page ${i + 1} sees one control_changed per change`);
      const sentControls = (await logged(page, 'sent')).filter((m) => m.msg.type === 'control');
      assert.deepEqual(sentControls.map((m) => m.text), [], `page ${i + 1} sent no control message`);
      const shown = await page.evaluate(() => {
        const input = document.querySelector('input[data-control="brightness"]');
        return [input.value, input.parentElement.querySelector('span').textContent];
      });
      assert.deepEqual(shown, [String(values.at(-1)), String(values.at(-1))], `page ${i + 1} shows the new value`);
      assert.deepEqual(errors, []);
    }
    // The server may log control sets at info or at debug level: at most the third client's two.
    const sets = server.logs().slice(logBefore.length).match(/control set/g) || [];
    assert.ok(sets.length <= values.length, `${sets.length} "control set" lines in the log`);
  } finally {
    client.ws.close();
    for (const { page } of pages) await page.close();
    await server.stop();
  }
});

test('a user\'s slider change sends exactly one control message; the other page follows without echo', async () => {
  const server = await start(['--source', 'testsrc:?size=320x240&fps=15']);
  const [a, b] = [await openHookedPage(server.url), await openHookedPage(server.url)];
  try {
    for (const { page } of [a, b]) {
      await waitFor(page, () => window.wscamStats.framesPainted > 2
        && document.querySelector('input[data-control="brightness"]') !== null);
      await clearLog(page);
    }
    await a.page.locator('#btn-controls').click();
    await a.page.locator('input[data-control="brightness"]').fill('60');  // fires input, then change
    await sleep(2000);

    const sent = (await logged(a.page, 'sent')).filter((m) => m.msg.type === 'control').map((m) => m.msg);
    assert.deepEqual(sent, [{ type: 'control', id: 'brightness', value: 60 }], 'page A sent its change once');
    assert.deepEqual((await logged(b.page, 'sent')).filter((m) => m.msg.type === 'control'), [], 'page B sent nothing');
    for (const [name, { page }] of [['A', a], ['B', b]]) {
      const changes = (await logged(page, 'received')).filter((m) => m.msg.type === 'control_changed');
      assert.deepEqual(changes.map((m) => m.msg.value), [60], `page ${name} sees one control_changed`);
    }
    assert.equal(await b.page.locator('input[data-control="brightness"]').inputValue(), '60');
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.page.close();
    await b.page.close();
    await server.stop();
  }
});

test('switching streams clears the old view\'s reconnect countdown', async () => {
  const streams = ['--stream', 'a=testsrc:?size=320x240&fps=10', '--stream', 'b=testsrc:?size=QQVGA&fps=10'];
  let server = await start(streams);
  const port = server.port;
  const { page, errors } = await openHookedPage(`${server.url}/view/a`);
  try {
    await waitFor(page, () => window.wscamStats.stream === 'a' && window.wscamStats.state === 'live');
    await server.stop();
    // Failed retries back off; wait until the countdown has a few seconds left to run.
    await waitFor(page, () => /retrying in [2-9] s/.test(document.getElementById('state').textContent), undefined, 20000);
    server = await start([...streams, '--port', String(port)]);
    await page.locator('#btn-all').click();
    await page.locator('.tile[title="Open b"]').click();
    await waitFor(page, () => window.wscamStats.stream === 'b');

    const seen = [];
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      seen.push(await page.locator('#state').textContent());
      await sleep(50);
    }
    const foreign = [...new Set(seen.filter((t) => /reconnecting|retrying/.test(t)))];
    assert.deepEqual(foreign, [], 'the status shows only stream b\'s state');
    assert.equal(seen.at(-1), 'live');
    assert.equal((await stats(page)).width, 160, 'the picture is stream b\'s');
    assert.deepEqual(errors.filter((e) => !/WebSocket connection .* failed|ERR_CONNECTION_REFUSED/.test(e)), []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('frames whose header_size is < 32 or past the end are ignored and counted; a longer header is honoured',
  async () => {
    const server = await start(['--source', 'testsrc:?size=320x240&fps=15']);
    // JPEG: the crafted messages are JPEG frames (type 1), which only a JPEG connection gets.
    const { page, errors, warnings } = await openHookedPage(`${server.url}/?codec=jpeg`);
    try {
      await waitFor(page, () => window.wscamStats.framesPainted > 2);
      await page.keyboard.press(' ');  // pause: no real frames arrive while crafted ones are fed
      // The pause takes effect when the server has it; only frames already on the wire may still land.
      await until(() => /viewer paused stream=default/.test(server.logs()), 'the server to pause delivery');
      await sleep(500);
      const before = await stats(page);
      await sleep(300);
      assert.equal((await stats(page)).framesReceived, before.framesReceived, 'delivery is paused');

      const result = await page.evaluate(async (lastSequence) => {
        const jpeg = new Uint8Array(await (await fetch('/snapshot/default.jpg')).arrayBuffer());
        const frame = (headerSize, { headerBytes = 32, sequence, body = jpeg } = {}) => {
          const buf = new ArrayBuffer(headerBytes + body.length);
          const v = new DataView(buf);
          v.setUint8(0, 1);
          v.setUint8(1, headerSize);
          v.setUint16(2, 320);
          v.setUint16(4, 240);
          v.setBigUint64(8, BigInt(sequence));
          v.setBigInt64(16, BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)));
          new Uint8Array(buf, headerBytes).set(body);
          return buf;
        };
        const ws = window.wsHook.sockets.at(-1);
        const feed = (buf) => ws.dispatchEvent(new MessageEvent('message', { data: buf }));
        const far = lastSequence + 1000;  // a bad frame must not move the sequence either
        feed(frame(0, { sequence: far }));
        feed(frame(16, { sequence: far }));
        feed(frame(31, { sequence: far }));
        feed(frame(200, { sequence: far, body: new Uint8Array(10) }));  // 42 bytes, header_size 200
        feed(new ArrayBuffer(1));
        const afterBad = { ...window.wscamStats };
        // header_size 40: eight bytes of a future header version, then the JPEG.
        feed(frame(40, { headerBytes: 40, sequence: lastSequence + 1 }));
        return { afterBad };
      }, before.lastSequence);

      const bad = result.afterBad;
      assert.equal(bad.framesReceived, before.framesReceived, 'bad frames are not counted as received');
      assert.equal(bad.lastSequence, before.lastSequence);
      assert.equal(bad.serverDropped, before.serverDropped);
      assert.equal(bad.badFrames, 5, 'each bad message is counted');
      await waitFor(page, (n) => window.wscamStats.framesPainted > n, before.framesPainted);
      const now = await stats(page);
      assert.equal(now.framesReceived, before.framesReceived + 1);
      assert.equal(now.lastSequence, before.lastSequence + 1);
      assert.equal(now.state, 'live');
      assert.deepEqual(errors, [], 'nothing thrown');
      assert.equal(warnings.filter((w) => /header_size/.test(w)).length, 1, `logged once: ${warnings}`);
    } finally {
      await page.close();
      await server.stop();
    }
  });

test('a tab hidden from the start sends pause for the focused view and for every grid tile', async () => {
  const streams = ['--stream', 'a=testsrc:?size=320x240&fps=15', '--stream', 'b=testsrc:?size=320x240&fps=15'];
  const server = await start(streams);
  const setVisible = (page) => page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const pauses = async (page) => (await logged(page, 'sent')).filter((m) => m.msg.type === 'pause').map((m) => m.socket);
  try {
    // The focused view.
    const single = await openHookedPage(`${server.url}/view/a`, { hidden: true });
    await waitFor(single.page, () => window.wsHook.sent.some((m) => m.text === '{"type":"pause"}'));
    await until(() => /viewer paused stream=a/.test(server.logs()), 'the server to pause the focused view');
    await sleep(500);
    const held = (await stats(single.page)).framesReceived;
    await sleep(1000);
    assert.equal((await stats(single.page)).framesReceived, held, 'no frames while hidden');
    assert.ok(held < 15, `${held} frames before the pause took effect (15 fps)`);
    await setVisible(single.page);
    await waitFor(single.page, () => window.wscamStats.framesPainted > 5);
    assert.deepEqual(single.errors, []);
    await single.page.close();

    // The grid: every tile pauses.
    const gridFrom = server.logs().length;
    const grid = await openHookedPage(server.url, { hidden: true });
    await waitFor(grid.page, () => document.querySelectorAll('.tile').length === 2);
    await until(() => ['a', 'b'].every((s) => server.logs().slice(gridFrom).includes(`viewer paused stream=${s} `)),
      'the server to pause every tile');
    await sleep(1500);
    assert.deepEqual((await pauses(grid.page)).sort(), [0, 1], 'each tile\'s socket sent pause');
    const tilesHeld = await grid.page.evaluate(() => window.wscamTiles().map((t) => t.framesReceived));
    await sleep(1000);
    const tilesLater = await grid.page.evaluate(() => window.wscamTiles().map((t) => t.framesReceived));
    assert.deepEqual(tilesLater, tilesHeld, 'no tile receives frames while hidden');
    assert.ok(tilesHeld.every((n) => n < 15), `frames before the pause took effect (15 fps): ${tilesHeld}`);
    await setVisible(grid.page);
    await waitFor(grid.page, () => window.wscamTiles().every((t) => t.framesPainted > 5));
    assert.deepEqual(grid.errors, []);
    await grid.page.close();
  } finally {
    await server.stop();
  }
});
