// Playing the past in the viewer (issue 23), in real Chromium on plain http: the timeline under a
// recorded stream, a seek by the keyboard and by dragging, the first picture of the past within
// a second, the time shown being the capture time of the picture on screen (checked against the
// recording's own picture at that time), speed, pause, step, and back to live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam } from './lib/wscam.mjs';
import { launchChromium, openPage, waitFor } from './lib/browser.mjs';
import { sleep } from './lib/wait.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const playback = (page) => page.evaluate(() => ({ ...window.wscamPlayback }));

/** Mean absolute difference between what the page shows and the recording's picture at `us`. */
const differenceFromRecording = (page, us) => page.evaluate(async (at) => {
  const res = await fetch(`/recordings/cam/snapshot.jpg?at=${at / 1e6}`);
  const bitmap = await createImageBitmap(await res.blob());
  const shown = document.getElementById('video').hidden ? document.getElementById('playback-video') : document.getElementById('video');
  const w = bitmap.width, h = bitmap.height;
  const pixels = (source) => {
    const c = new OffscreenCanvas(w, h);
    const ctx = c.getContext('2d');
    ctx.drawImage(source, 0, 0, w, h);
    return ctx.getImageData(0, 0, w, h).data;
  };
  const a = pixels(shown), b = pixels(bitmap);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return sum / (a.length / 4) / 3;
}, us);

async function recordedServer(codec, segmentSeconds = 5) {
  const dir = mkdtempSync(join(tmpdir(), 'wscam-playback-'));
  const server = await startWscam(['--stream', 'cam=testsrc:?size=320x240&fps=10', '--record', 'continuous',
    '--record-codec', codec, '--record-dir', dir, '--record-segment', String(segmentSeconds)]);
  await sleep(14000);
  return { dir, server };
}

for (const codec of ['mjpeg', 'h264']) {
  test(`${codec} recording: scrub back, the capture time of the picture on screen, speed, pause, step, live`, async () => {
    const { dir, server } = await recordedServer(codec);
    const { page, errors } = await openPage(browser, `${server.url}/view/cam`);
    try {
      await waitFor(page, () => !document.getElementById('playback').hidden && window.wscamStats.framesPainted > 3);
      // The keyboard: 10 s back from now.
      await page.locator('#timeline').focus();
      await page.keyboard.press('ArrowLeft');
      await waitFor(page, () => window.wscamPlayback.captureUs != null);
      let p = await playback(page);
      assert.equal(p.codec, codec);
      assert.ok(p.firstPictureMs < 1000, `the first picture of the past came ${p.firstPictureMs} ms after the seek`);
      // The first picture is the one on screen at the time asked for: captured at most a frame before
      // it (JPEG); a <video> seeks to a picture next to it, either side (within a frame, 100 ms here).
      const after = codec === 'mjpeg' ? 1000 : 150e3;
      assert.ok(p.firstCaptureUs <= p.seekUs + after && p.firstCaptureUs > p.seekUs - 250e3,
        `first on screen: the picture captured at ${p.firstCaptureUs}, asked for ${p.seekUs}`);
      assert.equal(await page.locator('#state').textContent(), 'past: a recording plays');
      // What the page shows is the recording's picture at the time it shows.
      await page.locator('#btn-play').click();  // pause, so the picture holds still while compared
      await sleep(400);  // a picture being decoded when it paused is shown yet
      p = await playback(page);
      const same = await differenceFromRecording(page, p.captureUs);
      const other = await differenceFromRecording(page, p.captureUs - 1e6);
      assert.ok(same < 10 && other > same * 3, `difference from the picture at the time shown ${same}, from one a second earlier ${other}`);
      await page.screenshot({ path: `${OUT_DIR}/viewer-playback-${codec}.png` });
      // Paused: it holds; a step shows the next picture (10 fps: 100 ms later).
      await sleep(600);
      assert.equal((await playback(page)).captureUs, p.captureUs, 'paused');
      await page.locator('#btn-step').click();
      await waitFor(page, (before) => window.wscamPlayback.captureUs !== before, p.captureUs);
      const stepped = (await playback(page)).captureUs - p.captureUs;
      assert.ok(stepped > 50e3 && stepped < 160e3, `a step moved ${stepped} µs`);
      // ×1 then ×4: the recording's time runs at that rate.
      await page.locator('#btn-play').click();
      const rate = async () => {
        const a = await playback(page), t0 = Date.now();
        await sleep(2000);
        const b = await playback(page);
        return (b.captureUs - a.captureUs) / 1000 / (Date.now() - t0);
      };
      const normal = await rate();
      assert.ok(normal > 0.7 && normal < 1.3, `×1 played ${normal} s a second`);
      await page.locator('#speed').selectOption('4');
      const fast = await rate();
      assert.ok(fast > 2.8 && fast < 5, `×4 played ${fast} s a second`);
      // Dragging along the bar (the right end is now: a drag a little left of it is the recent past).
      const box = await page.locator('#timeline').boundingBox();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      // Within 2 px of the end of an hour: at most ~7 s back, or the present (then live).
      await waitFor(page, () => window.wscamPlayback.state === 'idle' || window.wscamPlayback.firstPictureMs != null)
        .catch(async (e) => { throw new Error(`after the drag: ${JSON.stringify(await playback(page))}: ${e.message}`); });
      // Back to live with one click.
      const painted = await page.evaluate(() => window.wscamStats.framesPainted);
      if ((await playback(page)).state !== 'idle') await page.locator('#btn-live').click();
      await waitFor(page, (n) => window.wscamStats.framesPainted > n + 5, painted);
      assert.equal((await playback(page)).state, 'idle');
      assert.equal(await page.locator('#state').textContent(), 'live');
      assert.deepEqual(errors, [], JSON.stringify(errors));
    } finally {
      await page.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// The segment being written has no duration yet (a fragmented MP4 that grows): a seek deep into
// it must still show the picture asked for, and playing on must follow the file as it grows.
test('h264 recording: a seek deep into the segment being written, and on past what it held then', async () => {
  const { dir, server } = await recordedServer('h264', 300);
  const { page, errors } = await openPage(browser, `${server.url}/view/cam`);
  try {
    await waitFor(page, () => !document.getElementById('playback').hidden && window.wscamStats.framesPainted > 3);
    await page.locator('#timeline').focus();
    await page.keyboard.press('ArrowLeft');  // 10 s back: about 5 s into the one segment there is
    await waitFor(page, () => window.wscamPlayback.captureUs != null);
    const p = await playback(page);
    assert.equal(p.codec, 'h264');
    assert.ok(p.firstPictureMs < 1000, `the first picture of the past came ${p.firstPictureMs} ms after the seek`);
    assert.ok(p.firstCaptureUs <= p.seekUs + 150e3 && p.firstCaptureUs > p.seekUs - 250e3,
      `first on screen: the picture captured at ${p.firstCaptureUs}, asked for ${p.seekUs}`);
    // ×4 for 4 s: past the end of what the file held at the seek, then the present takes over.
    await page.locator('#speed').selectOption('4');
    await sleep(1500);
    const later = (await playback(page)).captureUs;
    await page.screenshot({ path: `${OUT_DIR}/viewer-playback-h264-growing.png` });
    assert.ok(later > p.seekUs + 3e6, `after 1.5 s at ×4 the picture on screen was captured at ${later}, the seek was to ${p.seekUs}`);
    await waitFor(page, () => window.wscamPlayback.state === 'idle' || window.wscamPlayback.state === 'ended', undefined, 15000);
    assert.equal(await page.locator('#state').textContent(), 'live');
    assert.deepEqual(errors, [], JSON.stringify(errors));
  } finally {
    await page.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
