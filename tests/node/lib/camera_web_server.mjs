// A stand-in for an ESP32 running Espressif's CameraWebServer (arduino-esp32's example), for
// the parts wscam talks to: /stream (multipart MJPEG, chunked, one chunk per piece) on the
// stream port (81 on a board) and /status + /control on the control port (80 on a board),
// with the board's semantics: /control answers 200 with an empty body, or 500 for an unknown
// name or a refused value; a framesize change makes the frames that size; older firmware
// numbers frame sizes differently (before esp32-camera 2.0.14) and lacks some keys.
import http from 'node:http';
import { makeFrames } from './cameras.mjs';

const CURRENT = [[96, 96], [160, 120], [128, 128], [176, 144], [240, 176], [240, 240], [320, 240], [320, 320],
  [400, 296], [480, 320], [640, 480], [800, 600], [1024, 768], [1280, 720], [1280, 1024], [1600, 1200]];
const OLD = [[96, 96], [160, 120], [176, 144], [240, 176], [240, 240], [320, 240], [400, 296], [480, 320],
  [640, 480], [800, 600], [1024, 768], [1280, 720], [1280, 1024], [1600, 1200]];
const BOUNDARY = '123456789000000000000987654321';

// What set_* accepts on an OV2640 (the board's /control returns 500 when a setter fails).
const RANGES = {
  quality: [4, 63], brightness: [-2, 2], contrast: [-2, 2], saturation: [-2, 2], ae_level: [-2, 2],
  special_effect: [0, 6], wb_mode: [0, 4], aec_value: [0, 1200], agc_gain: [0, 30], gainceiling: [0, 6],
  led_intensity: [0, 255],
};
const SWITCHES = ['awb', 'awb_gain', 'aec', 'aec2', 'agc', 'bpc', 'wpc', 'raw_gma', 'lenc', 'hmirror', 'vflip', 'dcw', 'colorbar'];

export function boardDefaults({ firmware = 'current', led = false } = {}) {
  const s = {
    xclk: 20, pixformat: 4, framesize: firmware === 'old' ? 5 : 6, quality: 12, brightness: 0, contrast: 0,
    saturation: 0, sharpness: 0, special_effect: 0, wb_mode: 0, awb: 1, awb_gain: 1, aec: 1, aec2: 0, ae_level: 0,
    aec_value: 168, agc: 1, agc_gain: 0, gainceiling: 0, bpc: 0, wpc: 1, raw_gma: 1, lenc: 1, hmirror: 0, vflip: 0,
    dcw: 1, colorbar: 0, led_intensity: led ? 0 : -1,
    '0xd3': 8, '0x111': 0, '0x132': 9,
  };
  if (firmware === 'old') { delete s.vflip; delete s.led_intensity; delete s.xclk; }
  return s;
}

/**
 * Starts a board. `host` lets tests give each board its own loopback address, so the control
 * API can sit on port 80 as on a real board. `refuse` names controls whose setter fails;
 * `hang` makes /control never answer.
 */
export async function startBoard({ host = '127.0.0.1', streamPort = 0, controlPort = 0, firmware = 'current', led = false,
  fps = 15, refuse = [], hang = false } = {}) {
  const table = firmware === 'old' ? OLD : CURRENT;
  let state = boardDefaults({ firmware, led });
  const frameCache = new Map();
  const framesFor = (fs) => {
    const [w, h] = table[fs];
    const key = `${w}x${h}`;
    if (!frameCache.has(key)) frameCache.set(key, makeFrames(5, key));
    return frameCache.get(key);
  };
  const controls = [];
  const sockets = new Set();
  const timers = new Set();
  const track = (server) => server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  const control = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://board');
    if (url.pathname === '/status') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
      res.end(JSON.stringify(state));
      return;
    }
    if (url.pathname === '/control') {
      if (hang) return;  // a board that stopped answering
      const name = url.searchParams.get('var');
      const val = Number.parseInt(url.searchParams.get('val'), 10);
      controls.push([name, val]);
      let ok = Number.isInteger(val) && !refuse.includes(name);
      if (name === 'framesize') ok = ok && val >= 0 && val < table.length;
      else if (name === 'led_intensity') ok = ok && state.led_intensity !== undefined && state.led_intensity >= 0 &&
        val >= 0 && val <= 255;
      else if (RANGES[name]) ok = ok && val >= RANGES[name][0] && val <= RANGES[name][1];
      else if (SWITCHES.includes(name)) ok = ok && name in state;
      else ok = false;  // unknown, or not settable (sharpness)
      if (!ok) { res.writeHead(500); res.end(); return; }
      state[name] = SWITCHES.includes(name) ? (val ? 1 : 0) : val;
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  const stream = http.createServer((req, res) => {
    if (req.url !== '/stream') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': `multipart/x-mixed-replace;boundary=${BOUNDARY}`, 'Transfer-Encoding': 'chunked' });
    let n = 0;
    const t = setInterval(() => {
      const frames = framesFor(state.framesize);
      const jpeg = frames[n++ % frames.length];
      res.write(`\r\n--${BOUNDARY}\r\n`);
      res.write(`Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\nX-Timestamp: 0.000000\r\n\r\n`);
      res.write(jpeg);
    }, 1000 / fps);
    timers.add(t);
    res.on('close', () => { clearInterval(t); timers.delete(t); });
  });
  track(control);
  track(stream);
  await new Promise((r) => control.listen(controlPort, host, r));
  await new Promise((r) => stream.listen(streamPort, host, r));
  return {
    state: () => state,
    controls,
    streamUrl: `http://${host}:${stream.address().port}/stream`,
    controlUrl: `http://${host}:${control.address().port}/`,
    /** Power cycle: connections drop, the settings go back to their defaults. */
    reboot() {
      state = boardDefaults({ firmware, led });
      for (const s of sockets) s.destroy();
    },
    async close() {
      timers.forEach(clearInterval);
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => control.close(r)), new Promise((r) => stream.close(r))]);
    },
  };
}
