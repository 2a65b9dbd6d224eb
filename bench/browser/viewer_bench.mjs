#!/usr/bin/env node
// Browser benchmark: wscam's viewer against the tutorial's base64 <img> viewer, in headless
// Chromium, on the same server, frames and machine. Reports frames painted per second,
// capture-to-paint latency (p50/p95; one host, so one clock) and main-thread busy time
// (Chromium's TaskDuration metric over the measured window).
// --codec jpeg,h264 measures wscam's page once per codec, loaded with ?codec=NAME; the page
// says which codec it really used in wscamStats.codec (a page without an H.264 mode has no
// such field and shows JPEG): a run where it differs from the one asked for is reported as
// not measured instead of being counted for the wrong codec.
//
//   node bench/browser/viewer_bench.mjs [--seconds 20] [--size 1280x720] [--fps 30] [--noise 20]
//        [--codec jpeg[,h264]] [--viewers wscam,tutorial] [--json]
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { startWscam } = await import(path.join(root, 'tests/node/lib/wscam.mjs'));
const { launchChromium } = await import(path.join(root, 'tests/node/lib/browser.mjs'));

const { values } = parseArgs({ options: {
  seconds: { type: 'string', default: '20' }, size: { type: 'string', default: '1280x720' },
  fps: { type: 'string', default: '30' }, noise: { type: 'string', default: '20' }, json: { type: 'boolean', default: false },
  codec: { type: 'string', default: 'jpeg' }, viewers: { type: 'string', default: 'wscam,tutorial' },
} });
const codecs = values.codec.split(',').filter(Boolean);
const wanted = values.viewers.split(',').filter(Boolean);
const seconds = Number(values.seconds);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };

// Both pages fill window.bench = { painted, latencies[] } as they paint (wscam's page through
// its window.wscamOnPaint hook, in whichever codec it shows).
const wscamInit = () => {
  window.bench = { painted: 0, latencies: [] };
  window.wscamOnPaint = (ms) => { window.bench.painted++; if (ms !== null) window.bench.latencies.push(ms); };
};
const viewers = {};
if (wanted.includes('wscam'))
  for (const codec of codecs) viewers[`wscam viewer ${codec}`] = { path: `/?codec=${codec}`, codec, init: wscamInit };
if (wanted.includes('tutorial')) viewers['tutorial base64 img'] = { path: '/tutorial.html', init: () => {} };

async function measure(browser, url, init, codec) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(init);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);
  await page.waitForTimeout(3000);  // warm-up: connect, clock sync, JIT
  if (codec) {
    // The codec the page is showing: wscamStats.codec once it has one; a page without one shows JPEG.
    const shown = await page.evaluate(() => window.wscamStats?.codec ?? null);
    if ((shown ?? 'jpeg') !== codec) {
      await page.close();
      return { skipped: `the page shows ${shown ?? 'JPEG (wscamStats.codec unset: no H.264 mode in this page)'}, not ${codec}` };
    }
  }
  const read = () => page.evaluate(() => ({ painted: window.bench.painted, latencies: [...window.bench.latencies] }));
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const [before, busyBefore] = [await read(), await busy()];
  await page.waitForTimeout(seconds * 1000);
  const [after, busyAfter] = [await read(), await busy()];
  await page.close();
  const latencies = after.latencies.slice(before.latencies.length);
  return {
    codec: codec ?? null,
    fps: (after.painted - before.painted) / seconds,
    latency_p50_ms: pct(latencies, 0.5), latency_p95_ms: pct(latencies, 0.95),
    main_thread_busy_pct: ((busyAfter - busyBefore) / seconds) * 100,
  };
}

const server = await startWscam(['--web-root', here, '--source', `testsrc:?size=${values.size}&fps=${values.fps}&noise=${values.noise}`]);
const browser = await launchChromium();
try {
  const results = {};
  for (const [name, v] of Object.entries(viewers)) results[name] = await measure(browser, server.url + v.path, v.init, v.codec);
  if (values.json) {
    console.log(JSON.stringify({ size: values.size, source_fps: Number(values.fps), seconds, results }, null, 2));
  } else {
    console.log(`browser viewer benchmark: ${values.size} @ ${values.fps} fps (noise ${values.noise}), ${seconds} s, headless Chromium`);
    console.log('viewer                  fps shown  latency p50  latency p95  main thread busy');
    for (const [name, r] of Object.entries(results))
      if (r.skipped) console.log(`${name.padEnd(23)} not measured: ${r.skipped}`);
      else console.log(`${name.padEnd(23)} ${r.fps.toFixed(1).padStart(9)}  ${r.latency_p50_ms.toFixed(1).padStart(8)} ms  ${r.latency_p95_ms.toFixed(1).padStart(8)} ms  ${r.main_thread_busy_pct.toFixed(1).padStart(14)} %`);
  }
} finally {
  await browser.close();
  await server.stop();
}
