// The viewer page in H.264 mode, in real Chromium against the real server: a moving picture
// decoded with WebCodecs at the stream's frame rate, the codec in the stats, the Codec choice
// (live switching, remembered, ?codec= overriding it, Auto), snapshots, the grid, every
// VideoFrame closed, latency close to JPEG's, and the fallback to JPEG when decoding fails.
//
// An init script (instrument) runs before the page's own: it records every painted frame
// (window.wscamOnPaint), counts the VideoFrames the decoder makes and those closed, and wraps
// WebSocket so a test can garble the H.264 units the page receives (window.h264Test.garble).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { startWscam, jpegSize } from './lib/wscam.mjs';
import { launchChromium, stats, waitFor } from './lib/browser.mjs';
import { sleep, until } from './lib/wait.mjs';
import { freePort } from './lib/nats.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;
// WSCAM_WEB_ROOT=/path/to/src/web serves the page from disk (to try viewer.js without a rebuild).
const webRoot = process.env.WSCAM_WEB_ROOT ? ['--web-root', process.env.WSCAM_WEB_ROOT] : [];
const start = (args = []) => startWscam([...args, ...webRoot]);
const VGA30 = ['--source', 'testsrc:?size=640x480&fps=30'];
const FRAME_MS = 1000 / 30;

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

function instrument() {
  const t = { painted: [], made: 0, closed: 0, garble: false, garbled: 0 };
  window.h264Test = t;
  window.wscamOnPaint = (latencyMs, stream, sequence) => t.painted.push({ at: performance.now(), latencyMs, stream, sequence });
  const made = new WeakSet();
  const closed = new WeakSet();
  const NativeDecoder = window.VideoDecoder;
  if (NativeDecoder) {  // (a test takes WebCodecs away)
    window.VideoDecoder = class extends NativeDecoder {
      constructor(init) {
        super({ ...init, output: (frame) => { made.add(frame); t.made++; init.output(frame); } });
      }
    };
    const nativeClose = VideoFrame.prototype.close;
    VideoFrame.prototype.close = function close() {
      if (made.has(this) && !closed.has(this)) { closed.add(this); t.closed++; }
      return nativeClose.call(this);
    };
  }
  // Garbling: every byte of an H.264 unit's payload from its 9th on, flipped (the start code and
  // the access unit delimiter stay): the decoder fails on it, as on a unit damaged in transit.
  const garble = (ev) => {
    if (!t.garble || typeof ev.data === 'string') return ev;
    const bytes = new Uint8Array(ev.data);
    if (bytes[0] !== 2) return ev;
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

async function openPage(url, context = browser) {
  const page = await context.newPage({ viewport: { width: 1000, height: 700 } });
  const errors = [];
  const warnings = [];
  const sockets = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.addInitScript(instrument);
  await page.goto(url);
  return { page, errors, warnings, sockets };
}

const canvasHash = (page, selector = '#video') => page.evaluate((sel) => document.querySelector(sel).toDataURL('image/png'), selector)
  .then((url) => createHash('sha1').update(url).digest('hex'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Watches the focused view for `ms`: distinct pictures painted per second (by their sequence
 * numbers), the median capture-to-paint latency, and how many different canvases were seen.
 */
async function watch(page, ms) {
  const from = await page.evaluate(() => window.h264Test.painted.length);
  const hashes = new Set();
  let looks = 0;
  const started = Date.now();
  while (Date.now() - started < ms) {
    hashes.add(await canvasHash(page));
    looks++;
    await sleep(400);
  }
  const painted = await page.evaluate((n) => window.h264Test.painted.slice(n), from);
  const seconds = (painted.at(-1).at - painted[0].at) / 1000;
  const distinct = new Set(painted.map((p) => p.sequence)).size;
  const latencies = painted.map((p) => p.latencyMs).filter((l) => l !== null);
  return {
    fps: (distinct - 1) / seconds, distinct, painted: painted.length, latencyMs: median(latencies), looks, canvases: hashes.size,
  };
}

const frameCounts = (page) => page.evaluate(() => ({ made: window.h264Test.made, closed: window.h264Test.closed }));
const notLeaked = (warnings) => warnings.filter((w) => /garbage collected|without being closed/i.test(w));

test('H.264 with WebCodecs by default (Auto, on a secure origin): a moving picture at the stream\'s rate, the codec in the stats, latency close to JPEG\'s, '
  + 'a live switch to JPEG and back, snapshots, every VideoFrame closed; the stream\'s RTSP URL in the stats', async () => {
  const server = await start([...VGA30, '--rtsp-port', String(await freePort())]);
  const { page, errors, warnings, sockets } = await openPage(server.url);
  try {
    await waitFor(page, () => window.wscamStats?.codec === 'h264' && window.wscamStats.latencyP50Ms !== null
      && window.wscamStats.framesPainted > 30);
    const s = await stats(page);
    assert.match(s.codecString, /^avc1\.42C0[0-9A-F]{2}$/);
    assert.deepEqual([s.width, s.height], [640, 480]);
    assert.ok(sockets[0].includes('codec=h264'), `the page asked for H.264: ${sockets}`);
    assert.equal(await page.locator('#codec').inputValue(), 'auto', 'the choice shows Auto');
    assert.equal(await page.getByLabel('Codec').inputValue(), 'auto', 'the choice is labelled');
    assert.equal(await page.locator('#codec option[value="auto"]').textContent(), 'Auto (H.264, WebCodecs)', 'Auto says what it takes');
    assert.equal(s.h264Path, 'webcodecs');

    const h264 = await watch(page, 4000);
    assert.ok(h264.fps >= 25, `H.264: ${h264.fps.toFixed(1)} distinct pictures/s (${h264.distinct} in 4 s)`);
    assert.ok(h264.canvases >= h264.looks - 1, `the canvas changes: ${h264.canvases} different pictures in ${h264.looks} looks`);
    await sleep(600);  // the overlay refreshes every 0.5 s
    assert.match(await page.locator('#s-codec').textContent(), /^H\.264 avc1\.42C0[0-9A-F]{2} · WebCodecs$/);
    assert.equal(await page.locator('#s-rtsp').textContent(), `rtsp://127.0.0.1:${server.rtspPort}/default`);
    assert.ok(await page.locator('#s-rtsp').isVisible(), 'the RTSP URL is shown');
    const rate = Number(await page.locator('#s-rate').textContent());
    assert.ok(rate > 50, `kbit/s counts H.264 bytes: ${rate}`);
    const h264Stats = await stats(page);
    assert.ok(h264Stats.kbps > 50 && h264Stats.latencyP50Ms !== null, JSON.stringify(h264Stats));
    mkdirSync(OUT_DIR, { recursive: true });
    await page.screenshot({ path: `${OUT_DIR}/viewer-h264.png` });

    // Snapshot: the canvas's picture, a 640x480 JPEG.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#btn-snapshot').click()]);
    assert.match(download.suggestedFilename(), /^wscam-default-\d+\.jpg$/);
    assert.deepEqual(jpegSize(readFileSync(await download.path())), { width: 640, height: 480 });

    // No frame piles up while it plays: at most the one waiting for paint and one on its way.
    const playing = await frameCounts(page);
    assert.ok(playing.made - playing.closed <= 2, `VideoFrames open while playing: ${JSON.stringify(playing)}`);

    // Live to JPEG: a new connection without codec=h264, the same page.
    await page.evaluate(() => { window.samePage = true; });
    await page.selectOption('#codec', 'jpeg');
    await waitFor(page, () => window.wscamStats.codec === 'jpeg' && window.wscamStats.latencyP50Ms !== null);
    assert.ok(!sockets.at(-1).includes('codec='), `the page asked for JPEG: ${sockets}`);
    const closedAfterSwitch = await frameCounts(page);
    assert.equal(closedAfterSwitch.closed, closedAfterSwitch.made, 'every VideoFrame closed once the player is gone');
    await sleep(1000);  // a latency median of JPEG frames only
    const jpeg = await watch(page, 4000);
    assert.ok(jpeg.fps >= 15 && jpeg.canvases >= jpeg.looks - 1, `JPEG moves: ${JSON.stringify(jpeg)}`);
    console.log(`capture to paint, median: H.264 ${h264.latencyMs.toFixed(1)} ms, JPEG ${jpeg.latencyMs.toFixed(1)} ms; `
      + `distinct pictures/s: H.264 ${h264.fps.toFixed(1)}, JPEG ${jpeg.fps.toFixed(1)}`);
    assert.ok(h264.latencyMs - jpeg.latencyMs <= 2 * FRAME_MS,
      `H.264 ${h264.latencyMs.toFixed(1)} ms vs JPEG ${jpeg.latencyMs.toFixed(1)} ms: more than two frame intervals apart`);
    await sleep(600);
    assert.equal(await page.locator('#s-codec').textContent(), 'JPEG');

    // And back: H.264 again, moving.
    await page.selectOption('#codec', 'h264');
    await waitFor(page, () => window.wscamStats.codec === 'h264');
    assert.ok(sockets.at(-1).includes('codec=h264'));
    const again = await watch(page, 2000);
    assert.ok(again.fps >= 25 && again.canvases >= again.looks - 1, `after switching back: ${JSON.stringify(again)}`);
    assert.equal(await page.evaluate(() => window.samePage), true, 'no reload');
    assert.equal(await page.locator('#codec-note').isHidden(), true, 'no note when H.264 plays');

    await page.close();  // frames left in the page now are not leaks
    assert.deepEqual(notLeaked(warnings), []);
    assert.deepEqual(errors, []);
  } finally {
    if (!page.isClosed()) await page.close();
    await server.stop();
  }
});

test('units the decoder fails on: after 3 errors the page falls back to JPEG, says why, and the picture goes on', async () => {
  const server = await start(VGA30);
  const { page, errors, warnings } = await openPage(`${server.url}/?codec=h264`);
  try {
    await waitFor(page, () => window.wscamStats?.codec === 'h264' && window.wscamStats.framesPainted > 10);
    assert.equal(await page.locator('#codec-note').isHidden(), true);
    await page.evaluate(() => { window.h264Test.garble = true; });
    await waitFor(page, () => window.wscamStats.codec === 'jpeg');
    const s = await stats(page);
    assert.ok(s.h264Errors >= 3, `${s.h264Errors} decoder errors`);
    assert.ok(await page.evaluate(() => window.h264Test.garbled) >= 3, 'units were garbled');
    const note = page.locator('#codec-note');
    assert.equal(await note.isVisible(), true, 'the note is visible');
    assert.match(await note.textContent(), /^H\.264 decoding failed 3 times \(.+\): showing JPEG$/);
    assert.equal(s.codecNote, await note.textContent());
    assert.equal(await page.locator('#codec').inputValue(), 'jpeg', 'the choice shows what plays');
    const before = (await stats(page)).framesPainted;
    await waitFor(page, (n) => window.wscamStats.framesPainted > n + 30, before);
    const counts = await frameCounts(page);
    assert.equal(counts.closed, counts.made, `every VideoFrame closed: ${JSON.stringify(counts)}`);
    await sleep(600);
    assert.equal(await page.locator('#s-codec').textContent(), 'JPEG');
    assert.ok(!(await page.locator('#s-rtsp').isVisible()), 'no RTSP row without RTSP');
    await page.screenshot({ path: `${OUT_DIR}/viewer-h264-fallback.png` });

    // Choosing H.264 again tries again (the units are no longer garbled).
    await page.evaluate(() => { window.h264Test.garble = false; });
    await page.selectOption('#codec', 'h264');
    await waitFor(page, (n) => window.wscamStats.codec === 'h264' && window.wscamStats.framesPainted > n + 30, before);
    assert.equal(await note.isHidden(), true, 'the note is gone');
    assert.deepEqual(errors, []);
    assert.deepEqual(notLeaked(warnings), []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('a server with H.264 off: JPEG, with the server\'s reason on the page', async () => {
  const server = await start([...VGA30, '--h264-max-streams', '0']);
  const { page, errors } = await openPage(server.url);
  try {
    await waitFor(page, () => window.wscamStats?.codec === 'jpeg' && window.wscamStats.framesPainted > 10);
    const note = page.locator('#codec-note');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /^H\.264 not available: H\.264 is off on this server \(--h264-max-streams 0\)$/);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('a browser without WebCodecs plays H.264 through MSE; without MSE either: JPEG by default without a word; asked for H.264, JPEG and why', async () => {
  const server = await start(VGA30);
  const noWebCodecs = await browser.newContext();
  await noWebCodecs.addInitScript(() => { delete window.VideoDecoder; });
  const neither = await browser.newContext();
  await neither.addInitScript(() => { delete window.VideoDecoder; delete window.MediaSource; delete window.ManagedMediaSource; });
  try {
    const mse = await openPage(server.url, noWebCodecs);
    await waitFor(mse.page, () => window.wscamStats?.codec === 'h264' && window.wscamStats.framesPainted > 10);
    assert.equal((await stats(mse.page)).h264Path, 'mse');
    assert.ok(mse.sockets[0].includes('codec=fmp4'), `${mse.sockets}`);
    assert.equal(await mse.page.locator('#codec option[value="auto"]').textContent(), 'Auto (H.264, MSE)');
    assert.equal(await mse.page.locator('#codec-note').isHidden(), true);
    assert.deepEqual(mse.errors, []);

    const { page, errors, sockets } = await openPage(server.url, neither);
    await waitFor(page, () => window.wscamStats?.codec === 'jpeg' && window.wscamStats.framesPainted > 10);
    assert.equal(await page.locator('#codec-note').isHidden(), true);
    assert.equal(await page.locator('#codec option[value="h264"]').textContent(), 'H.264 (not in this browser)');
    assert.equal(await page.locator('#codec option[value="auto"]').textContent(), 'Auto (JPEG)');
    assert.ok(sockets.every((u) => !u.includes('codec=')), `${sockets}`);
    await page.goto(`${server.url}/?codec=h264`);
    await waitFor(page, () => window.wscamStats?.codec === 'jpeg' && window.wscamStats.framesPainted > 10);
    assert.equal(await page.locator('#codec-note').textContent(),
      'this browser decodes H.264 neither with WebCodecs nor through MSE: showing JPEG');
    assert.equal(await page.locator('#codec').inputValue(), 'jpeg');
    assert.deepEqual(errors, []);
  } finally {
    await noWebCodecs.close();
    await neither.close();
    await server.stop();
  }
});

test('the choice is remembered per browser and ?codec= overrides it; grid tiles play H.264 and switch too', async () => {
  const server = await start(['--stream', 'porch=testsrc:?size=320x240&fps=30', '--stream', 'garage=testsrc:?size=640x480&fps=30']);
  const context = await browser.newContext();
  const { page, errors, warnings } = await openPage(server.url, context);
  const tileCodecs = () => page.evaluate(() => window.wscamTiles().map((t) => t.codec));
  const tilesMove = async () => {
    const painted = await page.evaluate(() => window.wscamTiles().map((t) => t.framesPainted));
    await waitFor(page, (p) => window.wscamTiles().every((t, i) => t.framesPainted > p[i] + 15), painted);
  };
  try {
    await waitFor(page, () => document.querySelectorAll('.tile').length === 2
      && window.wscamTiles().every((t) => t.codec === 'h264' && t.framesPainted > 10));
    assert.deepEqual(await page.evaluate(() => window.wscamTiles().map((t) => t.width)), [320, 640]);
    await tilesMove();
    for (const i of [1, 2]) {
      const tile = `.tile:nth-child(${i}) canvas`;
      const first = await canvasHash(page, tile);
      await until(async () => (await canvasHash(page, tile)) !== first, `tile ${i}'s picture to change`, 3000);
    }
    assert.equal(await page.locator('#codec').isVisible(), true, 'the choice is there with the grid too');

    await page.selectOption('#codec', 'jpeg');
    await waitFor(page, () => window.wscamTiles().every((t) => t.codec === 'jpeg'));
    await tilesMove();

    // Remembered: a reload plays JPEG; the address outranks it; the remembered choice stays.
    await page.reload();
    await waitFor(page, () => window.wscamTiles?.().length === 2 && window.wscamTiles().every((t) => t.codec !== null));
    assert.deepEqual(await tileCodecs(), ['jpeg', 'jpeg']);
    assert.equal(await page.locator('#codec').inputValue(), 'jpeg');
    await page.goto(`${server.url}/view/garage?codec=h264`);
    await waitFor(page, () => window.wscamStats?.codec === 'h264' && window.wscamStats.framesPainted > 10);
    await page.goto(`${server.url}/view/garage`);
    await waitFor(page, () => window.wscamStats?.codec === 'jpeg' && window.wscamStats.framesPainted > 10);
    assert.equal(await page.evaluate(() => localStorage.getItem('wscam.codec')), 'jpeg');

    await page.close();
    assert.deepEqual(notLeaked(warnings), []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.stop();
  }
});
