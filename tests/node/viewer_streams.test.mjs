// The viewer with several cameras, controls and tokens, in real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWscam } from './lib/wscam.mjs';
import { launchChromium, openPage, stats, waitFor } from './lib/browser.mjs';
import { until } from './lib/wait.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Mean brightness of what the canvas shows, 0-255.
const canvasLuma = (page) => page.evaluate(() => {
  const c = document.getElementById('video');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let sum = 0;
  for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  return sum / (d.length / 4);
});

test('several cameras show as a grid; a click focuses one; each has its own URL', async () => {
  const server = await startWscam(['--stream', 'porch=testsrc:?size=QVGA', '--stream', 'garage=testsrc:?size=VGA',
    '--stream', 'attic=push:']);
  const { page, errors } = await openPage(browser, server.url);
  try {
    await waitFor(page, () => document.querySelectorAll('.tile').length === 3);
    await waitFor(page, () => {
      const t = window.wscamTiles();
      return t[0].framesPainted > 3 && t[1].framesPainted > 3 && t[2].state === 'offline';
    });
    const tiles = await page.evaluate(() => window.wscamTiles().map((t) => [t.stream, t.state, t.width]));
    assert.deepEqual(tiles, [['porch', 'live', 320], ['garage', 'live', 640], ['attic', 'offline', 0]]);
    assert.match(await page.locator('.tile-label').nth(2).getAttribute('title'), /waiting for a publisher/);
    await page.screenshot({ path: `${OUT_DIR}/viewer-grid.png` });

    await page.locator('.tile').nth(1).click();
    await waitFor(page, () => window.wscamStats?.stream === 'garage' && window.wscamStats.framesPainted > 3);
    assert.equal(new URL(page.url()).pathname, '/view/garage');
    assert.equal(await page.evaluate(() => document.getElementById('grid').hidden), true);
    await page.locator('#btn-all').click();
    await waitFor(page, () => document.querySelectorAll('.tile').length === 3 && !document.getElementById('grid').hidden);

    for (const url of [`${server.url}/view/porch`, `${server.url}/?stream=porch`]) {
      await page.goto(url);
      await waitFor(page, () => window.wscamStats?.stream === 'porch' && window.wscamStats.framesPainted > 0);
      assert.equal((await stats(page)).width, 320);
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('the controls panel changes the camera: brightness visibly brightens the picture', async () => {
  const server = await startWscam();
  const { page, errors } = await openPage(browser, server.url);
  try {
    await waitFor(page, () => window.wscamStats.framesPainted > 5);
    await page.locator('#btn-controls').click();
    const slider = page.locator('input[data-control="brightness"]');
    assert.equal(await slider.getAttribute('max'), '100');
    const before = await canvasLuma(page);
    await slider.fill('80');
    // The change goes page -> server -> camera, then new frames come back and are painted.
    let after = before;
    await until(async () => (after = await canvasLuma(page)) > before + 40, 'the brighter picture on the canvas')
      .catch(() => {});  // the assertion below says what the canvas showed
    assert.ok(after > before + 40, `mean brightness ${before.toFixed(1)} -> ${after.toFixed(1)}`);
    await until(() => /control set stream=default peer=127\.0\.0\.1:\d+ brightness=80/.test(server.logs()), '"control set" in the log');
    await page.screenshot({ path: `${OUT_DIR}/viewer-controls.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('tokens: the page passes ?token= on; without the control token the panel stays hidden', async () => {
  const server = await startWscam(['--view-token', 'see-7f3a', '--control-token', 'steer-91bc']);
  const { page, errors } = await openPage(browser, server.url);
  try {
    await waitFor(page, () => /token/.test(document.getElementById('state').textContent));
    await page.goto(`${server.url}/?token=see-7f3a`);
    await waitFor(page, () => window.wscamStats?.framesPainted > 2);
    assert.equal(await page.locator('#btn-controls').isHidden(), true);
    await page.goto(`${server.url}/?token=steer-91bc`);
    await waitFor(page, () => window.wscamStats?.framesPainted > 2);
    assert.equal(await page.locator('#btn-controls').isVisible(), true);
    assert.doesNotMatch(server.logs(), /see-7f3a|steer-91bc/, 'tokens never appear in the log');
    assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('keyboard: space pauses delivery and resumes it', async () => {
  const server = await startWscam();
  const { page, errors } = await openPage(browser, server.url);
  try {
    await waitFor(page, () => window.wscamStats.framesReceived > 5);
    await page.keyboard.press(' ');
    await until(() => /viewer paused stream=default/.test(server.logs()), 'the server to pause delivery');
    await sleep(300);  // frames already on the wire may still land
    const paused = (await stats(page)).framesReceived;
    await sleep(1000);
    assert.equal((await stats(page)).framesReceived, paused);
    assert.equal(await page.locator('#btn-pause').textContent(), 'Resume');
    await page.keyboard.press(' ');
    await waitFor(page, (n) => window.wscamStats.framesReceived > n + 5, paused);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('on a phone-sized screen everything fits without sideways scrolling', async () => {
  const server = await startWscam();
  const { page, errors } = await openPage(browser, server.url, { width: 390, height: 844 });
  try {
    await waitFor(page, () => window.wscamStats.framesPainted > 3);
    await page.locator('#btn-controls').click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: `${OUT_DIR}/viewer-phone.png` });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

/** The tiles' boxes on the page, and the grid's. */
const tileBoxes = (page) => page.evaluate(() => ({
  grid: (({ width, height }) => ({ width, height }))(document.getElementById('grid').getBoundingClientRect()),
  scrolls: document.getElementById('grid').scrollHeight > document.getElementById('grid').clientHeight + 1,
  tiles: [...document.querySelectorAll('.tile')].map((t) => (({ left, top, width, height }) => ({ left, top, width, height }))(t.getBoundingClientRect())),
}));

test('the grid uses the screen: tiles fill the page at the pictures\' aspect; a phone keeps its stacked cards', async () => {
  const two = await startWscam(['--stream', 'porch=testsrc:?size=VGA', '--stream', 'garage=testsrc:?size=VGA']);
  const sixteen = await startWscam(Array.from({ length: 16 }, (_, i) => ['--stream', `cam${i}=testsrc:?size=1280x720&fps=5`]).flat());
  try {
    // 2 cameras on a 1280x800 page: side by side, each about half the page wide.
    const { page, errors } = await openPage(browser, two.url, { width: 1280, height: 800 });
    await waitFor(page, () => window.wscamTiles?.().length === 2 && window.wscamTiles().every((t) => t.framesPainted > 3));
    let b = await tileBoxes(page);
    console.log(`2 cameras on 1280x800: tiles ${b.tiles.map((t) => `${t.width.toFixed(0)}x${t.height.toFixed(0)}`).join(', ')}`);
    for (const t of b.tiles) {
      assert.ok(t.width >= 600, `a tile ${t.width.toFixed(0)} px wide`);
      assert.ok(Math.abs(t.width / t.height - 4 / 3) < 0.02, `at the pictures' 4:3: ${t.width}x${t.height}`);
    }
    assert.equal(b.tiles[0].top, b.tiles[1].top, 'side by side');
    const area = b.tiles.reduce((sum, t) => sum + t.width * t.height, 0) / (b.grid.width * b.grid.height);
    assert.ok(area > 0.55, `the tiles cover ${(area * 100).toFixed(0)} % of the grid`);
    await page.screenshot({ path: `${OUT_DIR}/viewer-grid-2.png` });

    // A resized window refits: on 800x1000, one above the other.
    await page.setViewportSize({ width: 800, height: 1000 });
    await until(async () => { b = await tileBoxes(page); return b.tiles[1].top > b.tiles[0].top; }, 'the tiles stacked', 3000);
    assert.ok(b.tiles[0].width >= 600 && !b.scrolls, JSON.stringify(b));

    // A phone: full-width cards, one under the other, scrolled.
    await page.setViewportSize({ width: 390, height: 844 });
    await until(async () => { b = await tileBoxes(page); return b.tiles[0].width > 350; }, 'full-width cards', 3000);
    assert.ok(b.tiles[1].top >= b.tiles[0].top + b.tiles[0].height, 'stacked');
    assert.deepEqual(errors, []);
    await page.close();

    // 16 cameras of 16:9 on 1280x800: every one on the screen at 16:9, nothing to scroll.
    const many = await openPage(browser, sixteen.url, { width: 1280, height: 800 });
    await waitFor(many.page, () => window.wscamTiles?.().length === 16 && window.wscamTiles().every((t) => t.width === 1280));
    await sleep(700);  // the aspect is refitted on the 0.5 s refresh
    b = await tileBoxes(many.page);
    assert.equal(b.scrolls, false, 'nothing to scroll');
    for (const t of b.tiles) {
      assert.ok(Math.abs(t.width / t.height - 16 / 9) < 0.02, `16:9: ${t.width}x${t.height}`);
      assert.ok(t.top + t.height <= 800 && t.left + t.width <= 1280, 'on the screen');
    }
    console.log(`16 cameras on 1280x800: ${b.tiles[0].width.toFixed(0)}x${b.tiles[0].height.toFixed(0)} tiles`);
    assert.ok(b.tiles[0].width >= 290, `16 tiles of ${b.tiles[0].width.toFixed(0)} px`);
    await many.page.screenshot({ path: `${OUT_DIR}/viewer-grid-16.png` });
    assert.deepEqual(many.errors, []);
    await many.page.close();
  } finally {
    await two.stop();
    await sixteen.stop();
  }
});
