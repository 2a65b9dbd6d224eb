// The WebSocket Origin check as real browsers exercise it (issue 10): headless Chromium sends
// `Origin` itself, so these pages prove what origin.test.mjs proves with hand-set headers.
// A page from another host name (http://localhost:P2 against wscam on 127.0.0.1) neither opens
// a viewer socket nor changes a control; wscam's own page does both; the tutorial's page (same
// host, another port) gets frames from the --ws-port listener; --allow-origin admits a page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { startWscam } from './lib/wscam.mjs';
import { launchChromium, openPage, waitFor } from './lib/browser.mjs';
import { until } from './lib/wait.mjs';

const STREAM = ['--stream', 'cam=testsrc:?size=160x120'];
const LISTEN_MS = 2000;  // how long a probe waits for frames

/** Another web site: a tiny page on 127.0.0.1 (reached as localhost or 127.0.0.1) on its own port. */
async function servePage() {
  const server = http.createServer((req, res) => {
    if (req.url !== '/') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>another site</title><p>another site</p>\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); },
  };
}

/**
 * In the page: opens `url`, tries to send `control` (once at once, as a page would if it could,
 * and again on open), listens for `ms`, then closes. Returns what the page's script observed.
 */
function probe(page, url, { protocols = [], control = null, ms = LISTEN_MS } = {}) {
  return page.evaluate(({ url, protocols, control, ms }) => new Promise((resolve) => {
    const r = { opened: false, error: false, close: null, binary: 0, texts: [], firstFrame: null,
      sendWhileConnecting: null, sentOnOpen: false };
    const ws = new WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    if (control) {
      try { ws.send(JSON.stringify(control)); r.sendWhileConnecting = 'sent'; } catch (e) { r.sendWhileConnecting = e.name; }
    }
    ws.onopen = () => {
      r.opened = true;
      if (control) { ws.send(JSON.stringify(control)); r.sentOnOpen = true; }
    };
    ws.onerror = () => { r.error = true; };
    ws.onclose = (e) => { r.close = { code: e.code, wasClean: e.wasClean }; };
    ws.onmessage = (e) => {
      if (typeof e.data === 'string') { r.texts.push(JSON.parse(e.data)); return; }
      if (r.binary++ === 0) {
        const b = new Uint8Array(e.data);
        r.firstFrame = [b[0], b[1], b[b.length - 2], b[b.length - 1]];
      }
    };
    setTimeout(() => { ws.close(); resolve(r); }, ms);
  }), { url, protocols, control, ms });
}

const JPEG_ENDS = [0xff, 0xd8, 0xff, 0xd9];
const refusedLines = (logs) => logs.split('\n').filter((l) => /websocket refused/.test(l));

test('a page from another host name cannot open /ws or /ws/<stream>, receives nothing and cannot set a control', async () => {
  const site = await servePage();
  const server = await startWscam(STREAM);
  const browser = await launchChromium();
  const origin = `http://localhost:${site.port}`;
  try {
    const { page, errors } = await openPage(browser, `${origin}/`);
    assert.equal(await page.evaluate(() => location.origin), origin, 'the page runs on the other host name');
    const control = { type: 'control', id: 'brightness', value: 50 };  // the test pattern starts at 0
    for (const path of ['/ws', '/ws/cam']) {
      const r = await probe(page, `ws://127.0.0.1:${server.port}${path}`, { protocols: ['wscam.v1'], control });
      assert.equal(r.opened, false, `${path}: the socket opened`);
      assert.equal(r.error, true, `${path}: the page saw no error event`);
      assert.equal(r.close?.code, 1006, `${path}: closed abnormally, never opened: ${JSON.stringify(r.close)}`);
      assert.equal(r.binary, 0, `${path}: frames reached the page`);
      assert.deepEqual(r.texts, [], `${path}: messages reached the page`);
      assert.equal(r.sendWhileConnecting, 'InvalidStateError', `${path}: the browser let the page send before open`);
      assert.equal(r.sentOnOpen, false);
      assert.ok(errors.some((e) => e.includes(`ws://127.0.0.1:${server.port}${path}`) && /\b403\b/.test(e)),
        `${path}: Chromium reports the 403 handshake answer: ${JSON.stringify(errors)}`);
    }
    const logs = server.logs();
    const refused = refusedLines(logs);
    assert.equal(refused.length, 2, logs);
    for (const [i, path] of ['/ws', '/ws/cam'].entries()) {
      assert.ok(refused[i].includes(`path=${path}: a page from ${origin} may not open this WebSocket`), refused[i]);
      assert.ok(refused[i].includes(`--allow-origin ${origin}`), refused[i]);
    }
    assert.doesNotMatch(logs, /control set/);
    assert.doesNotMatch(logs, /viewer open/);
  } finally {
    await browser.close();
    await site.close();
    assert.equal(await server.stop(), 0);
  }
});

test('wscam\'s own page gets frames, and a control sent from its context is applied', async () => {
  const server = await startWscam(STREAM);
  const browser = await launchChromium();
  try {
    const { page, errors } = await openPage(browser, `${server.url}/`);
    await waitFor(page, () => window.wscamStats?.state === 'live' && window.wscamStats.framesReceived > 5);
    assert.equal(await page.evaluate(() => window.wscamStats.stream), 'cam');
    const r = await probe(page, `${server.wsUrl}/ws/cam`, { protocols: ['wscam.v1'],
      control: { type: 'control', id: 'brightness', value: 37 }, ms: 1500 });
    assert.equal(r.opened, true, JSON.stringify(r));
    assert.ok(r.binary > 3, `${r.binary} frames on the page's own socket`);
    const hello = r.texts.find((m) => m.type === 'hello');
    assert.ok(hello?.controls.some((c) => c.id === 'brightness'), 'the test pattern offers brightness');
    assert.ok(r.texts.some((m) => m.type === 'control_changed' && m.id === 'brightness' && m.value === 37),
      `the change came back: ${JSON.stringify(r.texts)}`);
    await until(() => /control set stream=cam peer=\S+ brightness=37/.test(server.logs()), '"control set" in the log');
    assert.doesNotMatch(server.logs(), /websocket refused/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});

test('the tutorial\'s layout: a page on another port of the same host gets frames from the --ws-port listener', async () => {
  const site = await servePage();
  const server = await startWscam([...STREAM, '--ws-port', '0']);
  const browser = await launchChromium();
  try {
    const { page, errors } = await openPage(browser, `http://127.0.0.1:${site.port}/`);
    assert.notEqual(site.port, server.wsPort);
    const r = await probe(page, `ws://127.0.0.1:${server.wsPort}/`);
    assert.equal(r.opened, true, JSON.stringify(r));
    assert.ok(r.binary > 3, `${r.binary} frames`);
    assert.deepEqual(r.firstFrame, JPEG_ENDS, 'each message is one JPEG');
    assert.deepEqual(r.texts, [], 'a plain client gets nothing but JPEGs');
    assert.doesNotMatch(server.logs(), /websocket refused/);
    assert.match(server.logs(), /viewer open stream=cam peer=\S+ path=\/ protocol=plain/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await site.close();
    assert.equal(await server.stop(), 0);
  }
});

test('--allow-origin admits the other host name\'s page: it gets frames and its control is applied', async () => {
  const site = await servePage();
  const origin = `http://localhost:${site.port}`;
  const server = await startWscam([...STREAM, '--allow-origin', origin]);
  const browser = await launchChromium();
  try {
    const { page, errors } = await openPage(browser, `${origin}/`);
    assert.equal(await page.evaluate(() => location.origin), origin);
    const plain = await probe(page, `ws://127.0.0.1:${server.port}/ws`, { ms: 1500 });
    assert.equal(plain.opened, true, JSON.stringify(plain));
    assert.ok(plain.binary > 3, `${plain.binary} frames on /ws`);
    assert.deepEqual(plain.firstFrame, JPEG_ENDS);
    const framed = await probe(page, `ws://127.0.0.1:${server.port}/ws/cam`, { protocols: ['wscam.v1'],
      control: { type: 'control', id: 'brightness', value: 50 }, ms: 1500 });
    assert.equal(framed.opened, true, JSON.stringify(framed));
    assert.ok(framed.binary > 3, `${framed.binary} frames on /ws/cam`);
    await until(() => /control set stream=cam peer=\S+ brightness=50/.test(server.logs()), '"control set" in the log');
    assert.doesNotMatch(server.logs(), /websocket refused/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await site.close();
    assert.equal(await server.stop(), 0);
  }
});
