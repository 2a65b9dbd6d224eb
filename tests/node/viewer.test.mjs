// The viewer page in real Chromium against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { startWscam } from './lib/wscam.mjs';
import { launchChromium, openPage, stats, waitFor } from './lib/browser.mjs';
import { until } from './lib/wait.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const canvasHash = (page) => page.evaluate(() => document.getElementById('video').toDataURL('image/png'))
  .then((url) => createHash('sha1').update(url).digest('hex'));

test('the page loads without console errors and shows a moving picture', async () => {
  const server = await startWscam();
  const { page, errors } = await openPage(browser, server.url);
  try {
    await waitFor(page, () => window.wscamStats.state === 'live' && window.wscamStats.framesPainted > 0);
    const painted = [];
    const hashes = [];
    for (let i = 0; i < 4; i++) {
      painted.push((await stats(page)).framesPainted);
      hashes.push(await canvasHash(page));
      if (i < 3) await sleep(1000);
    }
    for (let i = 1; i < painted.length; i++) assert.ok(painted[i] > painted[i - 1], `frames painted: ${painted}`);
    assert.equal(new Set(hashes).size, hashes.length, 'the canvas changes every second');
    assert.equal(await page.locator('#s-frames').textContent().then(Number) > 0, true, 'the overlay counts frames');
    const size = await page.evaluate(() => [document.getElementById('video').width, document.getElementById('video').height]);
    assert.deepEqual(size, [640, 480]);
    mkdirSync(OUT_DIR, { recursive: true });
    await sleep(600);  // let the overlay refresh
    await page.screenshot({ path: `${OUT_DIR}/viewer.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('fps and latency in the overlay are plausible at 640x480@30 on loopback', async () => {
  const server = await startWscam(['--source', 'testsrc:?size=640x480&fps=30']);
  const { page, errors } = await openPage(browser, server.url);
  try {
    await waitFor(page, () => window.wscamStats.latencyP50Ms !== null && window.wscamStats.framesPainted > 60);
    const samples = [];
    for (let i = 0; i < 6; i++) { await sleep(500); samples.push(await stats(page)); }
    const fps = samples.reduce((s, x) => s + x.fps, 0) / samples.length;
    const latency = samples.at(-1).latencyP50Ms;
    assert.ok(Math.abs(fps - 30) <= 3, `fps shown ${fps}`);
    assert.ok(latency > -5 && latency < 100, `latency shown ${latency} ms`);
    assert.ok(samples.at(-1).clockUncertaintyUs !== null, 'the clock offset comes with its uncertainty');
    const overlay = await page.locator('#s-latency').textContent();
    assert.match(overlay, /^-?\d+\.\d ms$/);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('a server restart shows reconnecting, then live again without a reload', async () => {
  let server = await startWscam();
  const port = server.port;
  const { page, errors } = await openPage(browser, server.url);
  try {
    await waitFor(page, () => window.wscamStats.state === 'live');
    await page.evaluate(() => { window.pageId = 'same page'; });
    await server.stop();
    await waitFor(page, () => window.wscamStats.state === 'reconnecting');
    assert.match(await page.locator('#state').textContent(), /reconnecting: server went away; retrying in \d+ s/);
    server = await startWscam(['--port', String(port)]);
    await waitFor(page, () => window.wscamStats.state === 'live' && window.wscamStats.connects >= 2);
    const before = (await stats(page)).framesPainted;
    await sleep(500);
    assert.ok((await stats(page)).framesPainted > before, 'frames flow again');
    assert.equal(await page.evaluate(() => window.pageId), 'same page', 'no reload');
    assert.deepEqual(errors.filter((e) => !/WebSocket connection .* failed|ERR_CONNECTION_REFUSED/.test(e)), []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('a hidden tab pauses delivery and a visible one resumes it', async () => {
  const server = await startWscam();
  const { page, errors } = await openPage(browser, server.url);
  const setHidden = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  try {
    await waitFor(page, () => window.wscamStats.framesReceived > 10);
    await setHidden(true);
    await until(() => /viewer paused stream=default/.test(server.logs()), 'the server to pause delivery');
    await sleep(300);  // frames already on the wire may still land
    const hiddenStart = (await stats(page)).framesReceived;
    await sleep(1500);
    assert.equal((await stats(page)).framesReceived, hiddenStart, 'the server sent nothing while hidden');
    assert.match(server.logs(), /viewer paused stream=default/);
    await setHidden(false);
    await waitFor(page, (n) => window.wscamStats.framesReceived > n + 5, hiddenStart);
    assert.match(server.logs(), /viewer resumed stream=default/);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});
