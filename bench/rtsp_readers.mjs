// RTSP readers against one wscam stream, with a WebSocket H.264 viewer of the same stream in the
// same run: for 0, 1, 10, 100 readers (--readers), the server's CPU and RSS, the encoder's CPU
// (its threads are named "h264 NAME"), the readers' units per second, and capture-to-arrival
// latency of the RTSP units (dated by the RTCP sender reports) against the WebSocket viewer's
// frames (dated by their wscam.v1 header). Used by bench/rtsp.sh.
//   node bench/rtsp_readers.mjs --pid PID --rtsp rtsp://127.0.0.1:8554/NAME --ws ws://127.0.0.1:8080/ws/NAME
//        [--readers 0,1,10,100] [--seconds 10] [--warmup 3] [--json FILE]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readRtsp, timing } from '../tests/node/lib/rtsp_reader.mjs';
import { watch } from '../tests/node/lib/ws_viewer.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const pid = Number(arg('pid'));
const rtspUrl = arg('rtsp');
const wsUrl = arg('ws');
const counts = arg('readers', '0,1,10,100').split(',').map(Number);
const seconds = Number(arg('seconds', 10));
const warmup = Number(arg('warmup', 3));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN);
const hz = 100;  // clock ticks per second (getconf CLK_TCK on Linux)

/** CPU ticks of the process and of its encoder threads, and its RSS (KiB). */
function sample() {
  const ticks = (stat) => { const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); return Number(f[11]) + Number(f[12]); };
  let encoder = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('h264 ')) encoder += ticks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    } catch { /* the thread ended */ }
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { at: performance.now(), cpu: ticks(readFileSync(`/proc/${pid}/stat`, 'utf8')), encoder,
    rss: Number(status.match(/VmRSS:\s+(\d+)/)[1]), threads: Number(status.match(/Threads:\s+(\d+)/)[1]) };
}

const results = [];
for (const n of counts) {
  const readers = [];
  for (let i = 0; i < n; i++) {
    const r = await readRtsp(rtspUrl);
    if (r.status !== 200) throw new Error(`reader ${i}: RTSP ${r.status}`);
    readers.push(r);
  }
  const ws = watch(`${wsUrl}${wsUrl.includes('?') ? '&' : '?'}codec=h264`);
  await sleep(warmup * 1000);
  const from = readers.map((r) => r.units.length);
  const wsFrom = ws.frames.length;
  const a = sample();
  await sleep(seconds * 1000);
  const b = sample();
  const span = (b.at - a.at) / 1000;
  const fps = readers.map((r, i) => (r.units.length - from[i]) / span);
  const rtspLatency = readers.flatMap((r, i) => timing(r, from[i]).latencies);
  const wsLatency = ws.frames.slice(wsFrom).map((f) => performance.timeOrigin + f.at - f.capture / 1000);
  const row = {
    readers: n,
    server_cpu_percent: (100 * (b.cpu - a.cpu)) / hz / span,
    encoder_cpu_percent: (100 * (b.encoder - a.encoder)) / hz / span,
    rss_mib: b.rss / 1024,
    threads: b.threads,
    reader_fps_min: n ? Math.min(...fps) : null,
    reader_fps_median: n ? pct(fps, 0.5) : null,
    rtsp_latency_ms_p50: pct(rtspLatency, 0.5),
    rtsp_latency_ms_p95: pct(rtspLatency, 0.95),
    ws_fps: (ws.frames.length - wsFrom) / span,
    ws_latency_ms_p50: pct(wsLatency, 0.5),
    ws_latency_ms_p95: pct(wsLatency, 0.95),
  };
  results.push(row);
  const f = (x, d = 1) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
  console.log(`${String(n).padStart(3)} readers: server ${f(row.server_cpu_percent)} % CPU, encoder ${f(row.encoder_cpu_percent)} %, ` +
    `RSS ${f(row.rss_mib)} MiB, ${row.threads} threads; reader fps min ${f(row.reader_fps_min)} median ${f(row.reader_fps_median)}; ` +
    `latency RTSP p50 ${f(row.rtsp_latency_ms_p50)} p95 ${f(row.rtsp_latency_ms_p95)} ms, WebSocket H.264 p50 ${f(row.ws_latency_ms_p50)} ` +
    `p95 ${f(row.ws_latency_ms_p95)} ms (${f(row.ws_fps)} fps)`);
  for (const r of readers) r.close();
  ws.ws.close();
  await sleep(3000);
}
const base = results.find((r) => r.readers === 0);
if (base) {
  for (const r of results.filter((x) => x.readers > 0)) {
    console.log(`${String(r.readers).padStart(3)} readers over none: ${((r.server_cpu_percent - base.server_cpu_percent) / r.readers).toFixed(2)} % CPU ` +
      `and ${(((r.rss_mib - base.rss_mib) * 1024) / r.readers).toFixed(0)} KiB RSS per reader; encoder ${base.encoder_cpu_percent.toFixed(1)} % → ${r.encoder_cpu_percent.toFixed(1)} %`);
  }
}
if (arg('json')) writeFileSync(arg('json'), JSON.stringify(results, null, 2));
