// The viewer page with H.264 through Media Source Extensions, in real Chromium against the real
// server: on an insecure origin (a LAN address's situation: no WebCodecs there) Auto plays fMP4
// through MSE at the stream's rate with its latency shown, keeps to the live edge after a pause, and
// falls back to JPEG with a note when the browser refuses the segments; on a secure origin Auto
// takes WebCodecs and MSE is a choice, within two frame intervals of WebCodecs' latency.
//
// An init script (instrument) records every painted frame (window.wscamOnPaint) and wraps
// WebSocket so a test can garble the fMP4 segments the page receives (window.mseTest.garble).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startWscam } from './lib/wscam.mjs';
import { INSECURE_HOST, INSECURE_HOST_ARGS, launchChromium, stats, waitFor } from './lib/browser.mjs';
import { sleep } from './lib/wait.mjs';
import { slowLink } from './lib/slow_link.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;
const webRoot = process.env.WSCAM_WEB_ROOT ? ['--web-root', process.env.WSCAM_WEB_ROOT] : [];
const start = (args = []) => startWscam([...args, '--allowed-host', INSECURE_HOST, ...webRoot]);
const VGA30 = ['--source', 'testsrc:?size=640x480&fps=30'];
const FRAME_MS = 1000 / 30;
const insecureUrl = (server, path = '/') => `http://${INSECURE_HOST}:${server.port}${path}`;

let browser;
before(async () => { browser = await launchChromium(INSECURE_HOST_ARGS); });
after(async () => { await browser?.close(); });

function instrument() {
  const t = { painted: [], garble: false, garbled: 0 };
  window.mseTest = t;
  window.wscamOnPaint = (latencyMs, stream, sequence) => t.painted.push({ at: performance.now(), latencyMs, stream, sequence });
  // Garbling: every byte of an fMP4 segment from its 9th on flipped: the boxes no longer parse.
  const garble = (ev) => {
    if (!t.garble || typeof ev.data === 'string') return ev;
    const bytes = new Uint8Array(ev.data);
    if (bytes[0] !== 3) return ev;
    const copy = bytes.slice();
    for (let i = copy[1] + 8; i < copy.length; i++) copy[i] ^= 0x55;
    t.garbled++;
    return new MessageEvent('message', { data: copy.buffer });
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    get onmessage() { return super.onmessage; }
    set onmessage(fn) { super.onmessage = fn && ((ev) => fn(garble(ev))); }
  };
}

async function openPage(url, extraInit = null) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  if (extraInit) await page.addInitScript(extraInit);
  const errors = [];
  const sockets = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.addInitScript(instrument);
  await page.goto(url);
  return { page, errors, sockets };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The focused view's pictures painted over `ms`: distinct pictures per second and the median latency. */
async function watch(page, ms) {
  const from = await page.evaluate(() => window.mseTest.painted.length);
  await sleep(ms);
  const painted = await page.evaluate((n) => window.mseTest.painted.slice(n), from);
  const seconds = (painted.at(-1).at - painted[0].at) / 1000;
  const distinct = new Set(painted.map((p) => p.sequence)).size;
  const latencies = painted.map((p) => p.latencyMs).filter((l) => l !== null);
  return { fps: (distinct - 1) / seconds, distinct, latencyMs: median(latencies), maxLatencyMs: Math.max(...latencies) };
}

test('on an insecure origin Auto plays H.264 through MSE at the stream\'s rate, with its latency shown, and a pause resumes at the present', async () => {
  const server = await start(VGA30);
  const { page, errors, sockets } = await openPage(insecureUrl(server));
  try {
    assert.equal(await page.evaluate(() => window.isSecureContext), false, 'the page is not a secure context');
    assert.equal(await page.evaluate(() => typeof VideoDecoder), 'undefined', 'so it has no WebCodecs');
    await waitFor(page, () => window.wscamStats?.codec === 'h264' && window.wscamStats.latencyP50Ms !== null
      && window.wscamStats.framesPainted > 30);
    const s = await stats(page);
    assert.equal(s.h264Path, 'mse');
    assert.match(s.codecWhy, /^H\.264 through MSE: WebCodecs needs https:\/\/ \(or localhost\) here$/);
    assert.ok(sockets[0].includes('codec=fmp4'), `the page asked for fMP4: ${sockets}`);
    assert.equal(await page.locator('#codec').inputValue(), 'auto');
    assert.equal(await page.locator('#codec option[value="auto"]').textContent(), 'Auto (H.264, MSE)');
    assert.equal(await page.locator('#codec option[value="h264"]').textContent(), 'H.264 (MSE)');
    assert.equal(await page.locator('#codec-note').isHidden(), true, 'nothing is wrong: no note');

    const mse = await watch(page, 3000);
    console.log(`MSE on an insecure origin: ${mse.fps.toFixed(1)} distinct pictures/s, capture to paint ${mse.latencyMs.toFixed(1)} ms (median), `
      + `${mse.maxLatencyMs.toFixed(1)} ms (max)`);
    assert.ok(mse.fps >= 29, `${mse.fps.toFixed(1)} distinct pictures/s (${mse.distinct} in 3 s)`);
    await sleep(600);  // the overlay refreshes every 0.5 s
    assert.match(await page.locator('#s-codec').textContent(), /^H\.264 avc1\.42C0[0-9A-F]{2} · MSE$/);
    assert.match(await page.locator('#s-latency').textContent(), /^\d+\.\d ms$/, 'the latency is shown');
    mkdirSync(OUT_DIR, { recursive: true });
    await page.screenshot({ path: `${OUT_DIR}/viewer-mse.png` });

    // Paused for 3 s (as a hidden tab is): back, it shows the present, not 3 s of backlog.
    await page.locator('#btn-pause').click();
    await sleep(3000);
    await page.locator('#btn-pause').click();
    const resumed = await page.evaluate(() => window.mseTest.painted.length);
    await waitFor(page, (n) => window.mseTest.painted.length > n + 30, resumed);
    const after = await page.evaluate((n) => window.mseTest.painted.slice(n), resumed);
    const late = after.slice(0, 30).map((p) => p.latencyMs).filter((l) => l !== null);
    assert.ok(Math.max(...late) < 500, `after the pause the first pictures are fresh: ${late.map((l) => l.toFixed(0))}`);
    const again = await watch(page, 2000);
    assert.ok(again.fps >= 25 && again.latencyMs < mse.latencyMs + 2 * FRAME_MS, `after the pause: ${JSON.stringify(again)}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('segments the browser refuses: the page falls back to JPEG at once, says why, and the picture goes on', async () => {
  const server = await start(VGA30);
  const { page, errors } = await openPage(insecureUrl(server));
  try {
    await waitFor(page, () => window.wscamStats?.h264Path === 'mse' && window.wscamStats.framesPainted > 10);
    await page.evaluate(() => { window.mseTest.garble = true; });
    await waitFor(page, () => window.wscamStats.codec === 'jpeg');
    const note = page.locator('#codec-note');
    assert.equal(await note.isVisible(), true, 'the note is visible');
    assert.match(await note.textContent(), /^H\.264 through MSE failed \(.+\): showing JPEG$/);
    assert.equal(await page.locator('#codec').inputValue(), 'jpeg', 'the choice shows what plays');
    const before = (await stats(page)).framesPainted;
    await waitFor(page, (n) => window.wscamStats.framesPainted > n + 30, before);
    await page.screenshot({ path: `${OUT_DIR}/viewer-mse-fallback.png` });
    // The console says why once (a warning), and nothing failed to load.
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('on a secure origin Auto takes WebCodecs and MSE is a choice of its own, within two frame intervals of its latency', async () => {
  const server = await start(VGA30);
  const { page, errors, sockets } = await openPage(server.url);
  try {
    await waitFor(page, () => window.wscamStats?.h264Path === 'webcodecs' && window.wscamStats.framesPainted > 30);
    assert.equal(await page.locator('#codec option[value="mse"]').evaluate((o) => o.hidden), false, 'H.264 (MSE) is offered');
    await sleep(500);
    const webcodecs = await watch(page, 3000);
    await page.selectOption('#codec', 'mse');
    await waitFor(page, () => window.wscamStats.h264Path === 'mse' && window.wscamStats.framesPainted > 30);
    assert.ok(sockets.at(-1).includes('codec=fmp4'), `${sockets}`);
    await sleep(500);
    const mse = await watch(page, 3000);
    console.log(`capture to paint, median: WebCodecs ${webcodecs.latencyMs.toFixed(1)} ms, MSE ${mse.latencyMs.toFixed(1)} ms; `
      + `distinct pictures/s: WebCodecs ${webcodecs.fps.toFixed(1)}, MSE ${mse.fps.toFixed(1)}`);
    assert.ok(mse.fps >= 25, `MSE: ${JSON.stringify(mse)}`);
    assert.ok(mse.latencyMs - webcodecs.latencyMs <= 2 * FRAME_MS,
      `MSE ${mse.latencyMs.toFixed(1)} ms vs WebCodecs ${webcodecs.latencyMs.toFixed(1)} ms: more than two frame intervals apart`);
    assert.equal(await page.evaluate(() => localStorage.getItem('wscam.codec')), 'mse', 'the choice is remembered');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('a browser without requestVideoFrameCallback (older Safari, Firefox) still shows MSE\'s pictures, at the stream\'s rate', async () => {
  const server = await start(VGA30);
  const { page, errors } = await openPage(insecureUrl(server), () => { delete HTMLVideoElement.prototype.requestVideoFrameCallback; });
  try {
    assert.equal(await page.evaluate(() => 'requestVideoFrameCallback' in HTMLVideoElement.prototype), false);
    await waitFor(page, () => window.wscamStats?.h264Path === 'mse' && window.wscamStats.framesPainted > 30);
    const r = await watch(page, 3000);
    assert.ok(r.fps >= 25 && r.latencyMs !== undefined, JSON.stringify(r));
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('on a 1.5 Mbit/s link an MSE page is moved to the reduced rendition and keeps playing across the change of size', async () => {
  const server = await start(['--source', 'testsrc:?size=1280x720&fps=30&noise=10', '--send-lowat', '16384']);
  const link = await slowLink(server.port, { kbps: 1500 });
  const { page, errors } = await openPage(`http://${INSECURE_HOST}:${link.port}/`);
  try {
    await waitFor(page, () => window.wscamStats?.h264Path === 'mse' && window.wscamStats.framesPainted > 5, undefined, 20000);
    await waitFor(page, () => window.wscamStats.width === 640, undefined, 30000);
    assert.match(server.logs(), /viewer h264 rendition=reduced stream=default peer=\S+: fell behind on the full rendition/);
    await sleep(2000);  // what the link held of the full rendition drains
    const r = await watch(page, 3000);
    console.log(`MSE on a 1.5 Mbit/s link, reduced rendition: ${r.fps.toFixed(1)} pictures/s, capture to paint ${r.latencyMs.toFixed(0)} ms (median)`);
    assert.ok(r.fps >= 20 && r.latencyMs < 1000, `on the reduced rendition: ${JSON.stringify(r)}`);
    assert.equal((await stats(page)).height, 360);
    await page.screenshot({ path: `${OUT_DIR}/viewer-mse-slow-link.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await link.close();
    await server.stop();
  }
});

test('on an insecure origin the grid\'s tiles play H.264 through MSE too', async () => {
  const server = await start(['--stream', 'porch=testsrc:?size=320x240&fps=30', '--stream', 'garage=testsrc:?size=640x480&fps=30']);
  const { page, errors } = await openPage(insecureUrl(server));
  try {
    await waitFor(page, () => document.querySelectorAll('.tile').length === 2
      && window.wscamTiles().every((t) => t.h264Path === 'mse' && t.framesPainted > 30));
    assert.deepEqual(await page.evaluate(() => window.wscamTiles().map((t) => [t.width, t.height])), [[320, 240], [640, 480]]);
    const painted = await page.evaluate(() => window.wscamTiles().map((t) => t.framesPainted));
    await sleep(2000);
    const now = await page.evaluate(() => window.wscamTiles().map((t) => t.framesPainted));
    now.forEach((n, i) => assert.ok(n - painted[i] >= 50, `tile ${i}: ${n - painted[i]} pictures in 2 s`));
    await page.screenshot({ path: `${OUT_DIR}/viewer-mse-grid.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});
