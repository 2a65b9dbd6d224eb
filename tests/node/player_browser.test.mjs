// <wscam-player> (/player.js) and /embed/NAME in real Chromium: another site's page (a name mapped
// to 127.0.0.1, so it is its own origin and, like http://192.168…, not a secure context) plays the
// camera when the server allows its origin, is refused with the reason on the picture and in an
// `error` event when it does not, frames /embed/NAME without any option, and shows a 16-camera
// dashboard of players in a <wscam-grid>.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { startWscam } from './lib/wscam.mjs';
import { launchChromium } from './lib/browser.mjs';
import { sleep } from './lib/wait.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;
const SHOP = 'shop.lan.test';
const webRoot = process.env.WSCAM_WEB_ROOT ? ['--web-root', process.env.WSCAM_WEB_ROOT] : [];

let browser;
before(async () => { browser = await launchChromium([`--host-resolver-rules=MAP ${SHOP} 127.0.0.1`]); });
after(async () => { await browser?.close(); });

/** Another site: serves `html` (a string, or a function called per request) at / from its own port, reached as http://SHOP:PORT/. */
async function site(html) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(typeof html === 'function' ? html() : html);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://${SHOP}:${server.address().port}/`, origin: `http://${SHOP}:${server.address().port}`, close: () => server.close() };
}

async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

const playerPage = (camera, attrs) => `<!doctype html><html><body style="margin:0;background:#222">
<h1 style="color:#eee;font:16px sans-serif">A shop's own page</h1>
<script type="module" src="${camera}/player.js"></script>
<script>window.events = []; for (const t of ['online', 'offline', 'error'])
  document.addEventListener(t, (e) => window.events.push([t, e.detail?.reason || '']), true);</script>
<wscam-player id="cam" server="${camera}" ${attrs} style="width:640px"></wscam-player></body></html>`;

test('<wscam-player> on a page from an allowed origin plays (MSE: the page is no secure context) and says online', async () => {
  let cam = null;
  const shop = await site(() => playerPage(`http://127.0.0.1:${cam.port}`, 'stream="default" codec="auto" stats controls'));
  cam = await startWscam(['--source', 'testsrc:?size=640x480&fps=30', '--allow-origin', shop.origin, ...webRoot]);
  const { page, errors } = await open(shop.url);
  try {
    assert.equal(await page.evaluate(() => window.isSecureContext), false);
    await page.waitForFunction(() => document.getElementById('cam').stats?.framesPainted > 60, null, { timeout: 15000 });
    const s = await page.evaluate(() => document.getElementById('cam').stats);
    assert.equal(s.codec, 'h264');
    assert.equal(s.h264Path, 'mse', 'H.264 through MSE on an insecure page');
    assert.deepEqual(await page.evaluate(() => window.events), [['online', '']]);
    const before = s.framesPainted;
    await sleep(2000);
    const after = (await page.evaluate(() => document.getElementById('cam').stats)).framesPainted;
    assert.ok(after - before >= 50, `${after - before} pictures in 2 s`);
    const box = await page.locator('#cam').boundingBox();
    assert.deepEqual([Math.round(box.width), Math.round(box.height)], [640, 480], 'the element keeps the picture\'s 4:3');
    mkdirSync(OUT_DIR, { recursive: true });
    await page.screenshot({ path: `${OUT_DIR}/player-allowed.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    shop.close();
    await cam.stop();
  }
});

test('<wscam-player> on a page from an origin the server does not allow is refused, and the page shows why', async () => {
  const cam = await startWscam(['--source', 'testsrc:?size=320x240&fps=30', ...webRoot]);
  const shop = await site(playerPage(`http://127.0.0.1:${cam.port}`, 'stream="default"'));
  const { page, errors } = await open(shop.url);
  try {
    await page.waitForFunction(() => window.events.some(([t]) => t === 'error'), null, { timeout: 15000 });
    const [, reason] = await page.evaluate(() => window.events.find(([t]) => t === 'error'));
    assert.equal(reason, `a page from ${shop.origin} may not open this WebSocket (start wscam with --allow-origin ${shop.origin} to allow it)`);
    const shown = await page.evaluate(() => document.getElementById('cam').shadowRoot.querySelector('.message').textContent);
    assert.equal(shown, reason, 'the picture says why');
    assert.equal(await page.evaluate(() => document.getElementById('cam').stats), null, 'and it stops trying');
    assert.match(cam.logs(), new RegExp(`websocket refused peer=\\S+ path=/ws/default: a page from http://${SHOP}`));
    await page.screenshot({ path: `${OUT_DIR}/player-refused.png` });
    // The refused WebSocket is the browser's console error; nothing else failed.
    assert.ok(errors.every((e) => /WebSocket connection to .* failed/.test(e)), JSON.stringify(errors));
  } finally {
    await page.close();
    shop.close();
    await cam.stop();
  }
});

test('/embed/NAME plays in an <iframe> on another site, without --allow-origin', async () => {
  const cam = await startWscam(['--stream', 'porch=testsrc:?size=640x480&fps=30', ...webRoot]);
  const shop = await site(`<!doctype html><body style="margin:0"><iframe id="f" src="http://127.0.0.1:${cam.port}/embed/porch?stats=1"
    style="width:640px;height:480px;border:0" allow="fullscreen"></iframe></body>`);
  const { page, errors } = await open(shop.url);
  try {
    const frame = () => page.frames().find((f) => f.url().includes('/embed/porch'));
    await page.waitForFunction(() => true);
    for (let i = 0; i < 100 && !frame(); i++) await sleep(100);
    await frame().waitForFunction(() => window.wscamPlayer?.stats?.framesPainted > 60, null, { timeout: 15000 });
    const s = await frame().evaluate(() => window.wscamPlayer.stats);
    assert.equal(s.stream, 'porch');
    assert.equal(s.codec, 'h264');
    // A frame is a secure context only if every page above it is: under an http:// site, MSE.
    assert.equal(s.h264Path, 'mse');
    assert.equal(await frame().evaluate(() => window.isSecureContext), false);
    assert.equal(await frame().evaluate(() => window.wscamPlayer.hasAttribute('controls')), true);
    await page.screenshot({ path: `${OUT_DIR}/player-embed.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    shop.close();
    await cam.stop();
  }
});

test('a dashboard of 16 <wscam-player>s in a <wscam-grid>: every one plays, the grid fills the page', async () => {
  const streams = Array.from({ length: 16 }, (_, i) => ['--stream', `cam${i}=testsrc:?size=320x240&fps=10`]).flat();
  const cam = await startWscam([...streams, '--allow-origin', '*', ...webRoot]);
  const camera = `http://127.0.0.1:${cam.port}`;
  const players = Array.from({ length: 16 }, (_, i) => `<wscam-player server="${camera}" stream="cam${i}"></wscam-player>`).join('');
  const shop = await site(`<!doctype html><body style="margin:0;height:100vh;background:#111">
    <script type="module" src="${camera}/player.js"></script>
    <wscam-grid style="height:100vh">${players}</wscam-grid></body>`);
  const { page, errors } = await open(shop.url);
  try {
    await page.waitForFunction(() => [...document.querySelectorAll('wscam-player')].every((p) => p.stats?.framesPainted > 10),
      null, { timeout: 30000 });
    const before = await page.evaluate(() => [...document.querySelectorAll('wscam-player')].map((p) => p.stats.framesPainted));
    await sleep(3000);
    const after = await page.evaluate(() => [...document.querySelectorAll('wscam-player')].map((p) => p.stats.framesPainted));
    const fps = after.map((n, i) => (n - before[i]) / 3);
    console.log(`16 players at 10 fps: ${fps.map((f) => f.toFixed(1)).join(' ')} pictures/s`);
    for (const f of fps) assert.ok(f >= 8, `a player at ${f.toFixed(1)} pictures/s`);
    const boxes = await page.evaluate(() => [...document.querySelectorAll('wscam-player')].map((p) => {
      const r = p.getBoundingClientRect();
      return { w: r.width, h: r.height, bottom: r.bottom, right: r.right };
    }));
    for (const b of boxes) {
      assert.ok(Math.abs(b.w / b.h - 4 / 3) < 0.02 && b.bottom <= 800 && b.right <= 1280, JSON.stringify(b));
      assert.ok(b.w >= 255, `tiles of ${b.w.toFixed(0)} px on 1280x800 (4x4 at 4:3 is 260 px wide)`);
    }
    await page.screenshot({ path: `${OUT_DIR}/player-grid-16.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    shop.close();
    await cam.stop();
  }
});
