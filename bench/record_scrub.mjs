#!/usr/bin/env node
// Time from letting go of the viewer's timeline to the first picture of the past, for
// bench/record.sh: real Chromium opens /view/STREAM of a recording wscam, clicks the timeline at
// random recorded times (each click a press and a release: a seek) and reads how long the first
// picture took (window.wscamPlayback.firstPictureMs, measured in the page from the release to the
// picture painted). Prints one JSON line: {"codec", "seeks", "p50_ms", "p95_ms", "max_ms"}.
//
//   node bench/record_scrub.mjs --url http://127.0.0.1:PORT --stream cam0 --seeks 30
import { parseArgs } from 'node:util';
import { launchChromium, openPage, waitFor } from '../tests/node/lib/browser.mjs';

const { values } = parseArgs({
  options: { url: { type: 'string' }, stream: { type: 'string', default: 'cam0' }, seeks: { type: 'string', default: '30' } },
});
const browser = await launchChromium();
try {
  const { page } = await openPage(browser, `${values.url}/view/${values.stream}`, { width: 1280, height: 800 });
  await waitFor(page, () => !document.getElementById('playback').hidden, undefined, 30000);
  const box = await page.locator('#timeline').boundingBox();
  const times = [];
  const failures = [];
  let codec = null;
  for (let i = 0; i < Number(values.seeks); i++) {
    // A recorded time at least 5 s old (the newest second is not on disk yet), as a pixel of the hour shown.
    const { first, now } = await page.evaluate(async (stream) => {
      const body = await (await fetch(`/api/recordings/${stream}`)).json();
      return { first: body.segments[0].start * 1e6, now: Date.now() * 1000 };
    }, values.stream);
    const span = 3600e6;
    const target = first + Math.random() * Math.max(0, now - 5e6 - first);
    const x = box.x + ((target - (now - span)) / span) * box.width;
    await page.mouse.click(x, box.y + box.height / 2);
    const shown = await waitFor(page, () => window.wscamPlayback.firstPictureMs != null, undefined, 10000).then(() => true, () => false);
    const p = await page.evaluate(() => ({ ...window.wscamPlayback }));
    if (!shown) {
      failures.push(p);  // counted, and printed: a seek that showed nothing within 10 s
      continue;
    }
    times.push(p.firstPictureMs);
    codec = p.codec;
    await page.waitForTimeout(300);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  for (const f of failures) console.error(`no picture within 10 s: ${JSON.stringify(f)}`);
  console.log(JSON.stringify({ codec, seeks: times.length, failed: failures.length, p50_ms: at(0.5), p95_ms: at(0.95),
    max_ms: times[times.length - 1] }));
} finally {
  await browser.close();
}
