// Chromium shows /stream/<stream>.mjpg in a plain <img> (what Home Assistant's and OctoPrint's
// pages do): the picture arrives and keeps changing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { launchChromium } from './lib/browser.mjs';
import { sleep, until } from './lib/wait.mjs';

test('an <img> shows the MJPEG stream and it moves', async () => {
  // A page with nothing but the <img>, served by wscam itself (--web-root), so the canvas can read it.
  const root = mkdtempSync(join(tmpdir(), 'wscam-img-'));
  writeFileSync(join(root, 'img.html'), '<!doctype html><img id="cam" src="/stream/cam.mjpg">');
  const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=30', '--web-root', root]);
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    await tab.goto(`${server.url}/img.html`);
    await tab.waitForFunction(() => document.getElementById('cam').naturalWidth === 320, null, { timeout: 10000 });
    // Draw the <img> twice, half a second apart: the pictures differ (it is live, not a still).
    const grab = () => tab.evaluate(() => {
      const img = document.getElementById('cam');
      const c = document.createElement('canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return c.toDataURL('image/png');
    });
    const first = await grab();
    await sleep(500);
    const second = await grab();
    assert.notEqual(first, second, 'the picture changes');
    assert.match(server.logs(), /mjpeg open stream=cam peer=\S+ path=\/stream\/cam\.mjpg fps=all/);
    await tab.close();
    await until(() => /mjpeg closed stream=cam peer=\S+ frames=(\d+)/.test(server.logs()), 'the close line');
    const frames = Number(server.logs().match(/mjpeg closed stream=cam peer=\S+ frames=(\d+)/)[1]);
    assert.ok(frames >= 15, `Chromium took ${frames} frames`);
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});
