// Motion events in the viewer (issue 24), in real Chromium on plain http: the indicator on the live
// picture while an event goes on, its mark on the recording timeline, and a click on the mark that
// plays the event from its pre-roll (checked by the capture time of the first picture shown).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { crossing, noise } from './lib/motion_scenes.mjs';
import { launchChromium, openPage, waitFor } from './lib/browser.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

test('the indicator shows while an event goes on, its mark is on the timeline, and a click plays it from its pre-roll', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-viewer-motion-'));
  const scene = crossing({ seconds: 2, period: 7, size: 48, y: 80 });
  const server = await startWscam(['--stream', `door=${scene.uri}`, '--stream', `still=${noise({ strength: 8 })}`, '--motion',
    '--motion-cooldown', '1s', '--record', 'events', '--record-codec', 'mjpeg', '--record-preroll', '2', '--record-postroll', '1',
    '--record-dir', dir]);
  // The grid: the tile of the camera that sees motion says so, the other's does not.
  const grid = await openPage(browser, `${server.url}/`);
  try {
    const tileMotion = (name) => grid.page.locator('.tile', { has: grid.page.locator('.tile-label', { hasText: name }) }).locator('.motion');
    await waitFor(grid.page, () => [...document.querySelectorAll('.tile .motion')].some((m) => !m.hidden), undefined, 15000);
    await grid.page.screenshot({ path: join(OUT_DIR, 'viewer-motion-grid.png') });
    assert.equal(await tileMotion('door').isVisible(), true, 'the door tile shows motion');
    assert.equal(await tileMotion('still').isVisible(), false, 'the still camera\'s does not');
    assert.deepEqual(grid.errors, []);
  } finally {
    await grid.page.close();
  }
  const { page, errors } = await openPage(browser, `${server.url}/view/door`);
  try {
    await waitFor(page, () => window.wscamStats.framesPainted > 3);
    // The grid's event may still go on (a viewer who joins then is told of it): wait for the next.
    await waitFor(page, () => window.wscamStats.motion == null, undefined, 10000);
    assert.equal(await page.locator('#motion').isHidden(), true, 'no indicator between events');
    await waitFor(page, () => window.wscamStats.motion != null, undefined, 15000);
    assert.equal(await page.locator('#motion').isVisible(), true, 'the indicator shows during the event');
    const during = await page.evaluate(() => ({ ...window.wscamStats.motion }));
    await page.screenshot({ path: join(OUT_DIR, 'viewer-motion-indicator.png') });
    await waitFor(page, () => window.wscamStats.motion == null, undefined, 10000);
    assert.equal(await page.locator('#motion').isHidden(), true, 'and goes when it ends');

    // The clip is listed once it closes (after the post-roll); the timeline shows it and the mark.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
    const clip = (await (await fetch(`${server.url}/api/recordings/door`)).json()).segments
      .find((s) => s.start * 1e6 <= during.start_us && s.end * 1e6 >= during.start_us);
    assert.ok(clip, 'the event\'s clip is recorded');
    await page.reload();
    await waitFor(page, () => !document.getElementById('playback').hidden && window.wscamStats.framesPainted > 1);
    // The mark's place on the bar: its start, at the bar's scale (the last hour).
    const where = await page.evaluate((start) => {
      const r = document.getElementById('timeline').getBoundingClientRect();
      const now = Date.now() * 1000;
      return { x: r.left + ((start - (now - 3600e6)) / 3600e6) * r.width, y: r.top + r.height * 0.2 };
    }, during.start_us);
    await page.screenshot({ path: join(OUT_DIR, 'viewer-motion-timeline.png') });
    await page.mouse.click(where.x, where.y);
    await waitFor(page, () => window.wscamPlayback.captureUs != null);
    const shown = await page.evaluate(() => window.wscamPlayback.captureUs);
    const clipStart = Math.round(clip.start * 1e6);
    assert.ok(shown < during.start_us, `the first picture shown (${shown}) is before the motion began (${during.start_us})`);
    assert.ok(Math.abs(shown - clipStart) < 300e3,
      `it is the clip's first picture, its pre-roll: ${(during.start_us - shown) / 1e6} s before the motion`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
