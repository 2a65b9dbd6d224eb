#!/usr/bin/env node
// Browser benchmark: wscam's viewer against the tutorial's base64 <img> viewer, in headless
// Chromium, on the same server, frames and machine. Reports frames painted per second,
// capture-to-paint latency (p50/p95; one host, so one clock) and main-thread busy time
// (Chromium's TaskDuration metric over the measured window).
// --codec jpeg,h264,mse,mse-insecure measures wscam's page once per mode: jpeg, h264 (WebCodecs)
// and mse loaded with ?codec=NAME on a secure origin (127.0.0.1); mse-insecure loaded with Auto on
// an insecure origin (a name mapped to 127.0.0.1 by Chromium's host-resolver rules, as a LAN
// address is: no WebCodecs there, so Auto takes MSE). The page says what it really used
// (wscamStats.codec and h264Path; a page without them shows JPEG): a run where it differs is
// reported as not measured instead of being counted for the wrong mode. kbit/s is what the page
// received, its own count.
// --dashboard N measures one page of N <wscam-player>s in a <wscam-grid> (each its own stream of
// the size asked for): pictures per second of each, and the page's main thread.
// --drift MINUTES plays one page for that long and measures its first and its last minute.
//
//   node bench/browser/viewer_bench.mjs [--seconds 20] [--size 1280x720] [--fps 30] [--noise 20]
//        [--codec jpeg[,h264,mse,mse-insecure]] [--viewers wscam,tutorial] [--dashboard 16]
//        [--drift 30] [--json]
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { startWscam } = await import(path.join(root, 'tests/node/lib/wscam.mjs'));
const { launchChromium, INSECURE_HOST, INSECURE_HOST_ARGS } = await import(path.join(root, 'tests/node/lib/browser.mjs'));

const { values } = parseArgs({ options: {
  seconds: { type: 'string', default: '20' }, size: { type: 'string', default: '1280x720' },
  fps: { type: 'string', default: '30' }, noise: { type: 'string', default: '20' }, json: { type: 'boolean', default: false },
  codec: { type: 'string', default: 'jpeg' }, viewers: { type: 'string', default: 'wscam,tutorial' },
  dashboard: { type: 'string', default: '0' }, drift: { type: 'string', default: '0' },
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
// What each mode asks for and must show: the codec and, for H.264, the decoding path.
const MODES = {
  jpeg: { path: '/?codec=jpeg', shows: ['jpeg', ''] },
  h264: { path: '/?codec=h264', shows: ['h264', 'webcodecs'] },
  mse: { path: '/?codec=mse', shows: ['h264', 'mse'] },
  'mse-insecure': { path: '/?codec=auto', shows: ['h264', 'mse'], insecure: true },
};
const viewers = {};
if (wanted.includes('wscam'))
  for (const codec of codecs) viewers[`wscam viewer ${codec}`] = { ...MODES[codec], codec, init: wscamInit };
if (wanted.includes('tutorial')) viewers['tutorial base64 img'] = { path: '/tutorial.html', init: () => {} };

async function measure(browser, url, init, codec, shows) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(init);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);
  await page.waitForTimeout(3000);  // warm-up: connect, clock sync, JIT
  if (codec) {
    // What the page is showing: wscamStats.codec and h264Path once it has them; a page without them shows JPEG.
    const shown = await page.evaluate(() => [window.wscamStats?.codec ?? 'jpeg', window.wscamStats?.h264Path ?? '', window.isSecureContext]);
    if (shown[0] !== shows[0] || shown[1] !== shows[1]) {
      await page.close();
      return { skipped: `the page shows ${shown[0]} ${shown[1]}, not ${shows.join(' ')}` };
    }
  }
  const secure = await page.evaluate(() => window.isSecureContext);
  const read = () => page.evaluate(() => ({ painted: window.bench.painted, latencies: [...window.bench.latencies],
    kbps: window.wscamStats?.kbps ?? null }));
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const [before, busyBefore] = [await read(), await busy()];
  const kbps = [];
  for (let t = 0; t < seconds; t++) {
    await page.waitForTimeout(1000);
    kbps.push((await read()).kbps);
  }
  const [after, busyAfter] = [await read(), await busy()];
  await page.close();
  const latencies = after.latencies.slice(before.latencies.length);
  return {
    codec: codec ?? null, secure_context: secure,
    kbps: kbps[0] === null ? null : kbps.reduce((a, b) => a + b, 0) / kbps.length,
    fps: (after.painted - before.painted) / seconds,
    latency_p50_ms: pct(latencies, 0.5), latency_p95_ms: pct(latencies, 0.95),
    main_thread_busy_pct: ((busyAfter - busyBefore) / seconds) * 100,
  };
}

// A page of N <wscam-player>s in a <wscam-grid>, one stream each: pictures per second of each
// (their own counts), and the page's main thread.
async function dashboard(browser, count, insecure) {
  const source = `testsrc:?size=${values.size}&fps=${values.fps}&noise=${values.noise}`;
  const streams = Array.from({ length: count }, (_, i) => ['--stream', `cam${i}=${source}`]).flat();
  const cams = await startWscam([...streams, '--allowed-host', INSECURE_HOST]);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    // The page itself: the camera's /embed page's HTML serves as a blank page of the camera's origin.
    await page.goto(`${insecure ? `http://${INSECURE_HOST}:${cams.port}` : cams.url}/embed/cam0?controls=0`);
    await page.evaluate(async (n) => {
      document.body.innerHTML = `<wscam-grid style="height:100vh">${Array.from({ length: n },
        (_, i) => `<wscam-player stream="cam${i}"></wscam-player>`).join('')}</wscam-grid>`;
    }, count);
    await page.waitForTimeout(5000);
    const painted = () => page.evaluate(() => [...document.querySelectorAll('wscam-grid wscam-player')].map((p) => p.stats?.framesPainted ?? 0));
    const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
    const [before, busyBefore] = [await painted(), await busy()];
    await page.waitForTimeout(seconds * 1000);
    const [after, busyAfter] = [await painted(), await busy()];
    const fps = after.map((n, i) => (n - before[i]) / seconds);
    const paths = await page.evaluate(() => [...document.querySelectorAll('wscam-grid wscam-player')].map((p) => p.stats?.h264Path || p.stats?.codec));
    return { players: count, origin: insecure ? 'insecure' : 'secure', path: [...new Set(paths)].join(','), fps_min: Math.min(...fps), fps_median: pct(fps, 0.5),
      fps_each: fps, main_thread_busy_pct: ((busyAfter - busyBefore) / seconds) * 100 };
  } finally {
    await page.close();
    await cams.stop();
  }
}

// One page for `minutes`: its first and its last minute, measured alike.
async function drift(browser, url, minutes, shows) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(wscamInit);
  try {
    await page.goto(url);
    await page.waitForTimeout(3000);
    const shown = await page.evaluate(() => [window.wscamStats?.codec, window.wscamStats?.h264Path]);
    if (shown[0] !== shows[0] || shown[1] !== shows[1]) return { skipped: `the page shows ${shown.join(' ')}` };
    const minute = async () => {
      const from = await page.evaluate(() => window.bench.latencies.length);
      await page.waitForTimeout(60_000);
      const l = await page.evaluate((n) => window.bench.latencies.slice(n), from);
      return { pictures: l.length, latency_p50_ms: pct(l, 0.5), latency_p95_ms: pct(l, 0.95) };
    };
    const first = await minute();
    await page.waitForTimeout(Math.max(0, minutes - 2) * 60_000);
    const last = await minute();
    return { minutes, first, last };
  } finally {
    await page.close();
  }
}

const server = await startWscam(['--web-root', here, '--allowed-host', INSECURE_HOST,
  '--source', `testsrc:?size=${values.size}&fps=${values.fps}&noise=${values.noise}`]);
const browser = await launchChromium(INSECURE_HOST_ARGS);
const insecureUrl = `http://${INSECURE_HOST}:${server.port}`;
try {
  const results = {};
  for (const [name, v] of Object.entries(viewers)) {
    results[name] = await measure(browser, (v.insecure ? insecureUrl : server.url) + v.path, v.init, v.codec, v.shows);
  }
  const boards = [];
  if (Number(values.dashboard)) for (const insecure of [false, true]) boards.push(await dashboard(browser, Number(values.dashboard), insecure));
  const long = Number(values.drift) ? await drift(browser, `${insecureUrl}/?codec=auto`, Number(values.drift), MODES['mse-insecure'].shows) : null;
  if (values.json) {
    console.log(JSON.stringify({ size: values.size, source_fps: Number(values.fps), seconds, results, dashboard: boards, drift: long }, null, 2));
  } else {
    console.log(`browser viewer benchmark: ${values.size} @ ${values.fps} fps (noise ${values.noise}), ${seconds} s, headless Chromium`);
    console.log('viewer                        fps shown  latency p50  latency p95  main thread busy  kbit/s  secure context');
    for (const [name, r] of Object.entries(results))
      if (r.skipped) console.log(`${name.padEnd(29)} not measured: ${r.skipped}`);
      else console.log(`${name.padEnd(29)} ${r.fps.toFixed(1).padStart(9)}  ${r.latency_p50_ms.toFixed(1).padStart(8)} ms  ${r.latency_p95_ms.toFixed(1).padStart(8)} ms  ${r.main_thread_busy_pct.toFixed(1).padStart(14)} %  ${r.kbps === null ? '     –' : r.kbps.toFixed(0).padStart(6)}  ${r.secure_context}`);
    for (const board of boards) {
      console.log(`dashboard: ${board.players} <wscam-player>s, ${board.origin} origin (${board.path}): pictures/s min ${board.fps_min.toFixed(1)}, `
        + `median ${board.fps_median.toFixed(1)}; main thread busy ${board.main_thread_busy_pct.toFixed(1)} %`);
    }
    if (long?.skipped) console.log(`drift: not measured: ${long.skipped}`);
    else if (long) {
      console.log(`drift over ${long.minutes} min (MSE, insecure origin): first minute p50 ${long.first.latency_p50_ms.toFixed(1)} ms, p95 ${long.first.latency_p95_ms.toFixed(1)} ms; `
        + `last minute p50 ${long.last.latency_p50_ms.toFixed(1)} ms, p95 ${long.last.latency_p95_ms.toFixed(1)} ms`);
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
