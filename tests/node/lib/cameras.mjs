// Stand-ins for cameras we do not have, speaking their exact wire formats.
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { WebSocketServer } from 'ws';

/** Real JPEG frames from ffmpeg's test source. */
export function makeFrames(count = 30, size = '320x240') {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`,
    '-frames:v', String(count), '-q:v', '5', '-f', 'mjpeg', '-'], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  const frames = [];
  let start = 0;
  for (;;) {
    const end = r.stdout.indexOf(Buffer.from([0xff, 0xd9]), start);
    if (end < 0) break;
    frames.push(r.stdout.subarray(start, end + 2));
    start = end + 2;
  }
  return frames;
}

/** True when ffmpeg decodes `jpeg` without complaint. */
export function decodes(jpeg) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'jpeg_pipe', '-i', 'pipe:', '-f', 'null', '-'], { input: jpeg });
  return r.status === 0 && r.stderr.length === 0;
}

const ESP_BOUNDARY = '123456789000000000000987654321';

/**
 * Espressif's CameraWebServer `/stream` (app_httpd.cpp): chunked transfer encoding, boundary
 * 123456789000000000000987654321, each part with Content-Type, Content-Length and
 * X-Timestamp, each piece sent as its own chunk (httpd_resp_send_chunk).
 */
export async function startCameraWebServer(frames, { port = 0, fps = 20 } = {}) {
  const sockets = new Set();
  const timers = new Set();
  let captures = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/capture') {
      // CameraWebServer's still image: one JPEG per request.
      const jpeg = frames[captures++ % frames.length];
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length,
        'Content-Disposition': 'inline; filename=capture.jpg' });
      res.end(jpeg);
      return;
    }
    if (req.url !== '/stream') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace;boundary=${ESP_BOUNDARY}`,
      'Transfer-Encoding': 'chunked',
      'Access-Control-Allow-Origin': '*',
      'X-Framerate': '60',
    });
    let n = 0;
    const t = setInterval(() => {
      const jpeg = frames[n++ % frames.length];
      const us = Math.round(performance.now() * 1000);
      res.write(`\r\n--${ESP_BOUNDARY}\r\n`);
      res.write(`Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\nX-Timestamp: ${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}\r\n\r\n`);
      res.write(jpeg);
    }, 1000 / fps);
    timers.add(t);
    res.on('close', () => { clearInterval(t); timers.delete(t); });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    port: server.address().port,
    url: `http://127.0.0.1:${server.address().port}/stream`,
    captureUrl: `http://127.0.0.1:${server.address().port}/capture`,
    captures: () => captures,
    /** Open TCP connections (wscam's stream pull, while it watches). */
    connections: () => sockets.size,
    /** Pulls the plug: the board is gone at once, connections and all. */
    async kill() {
      timers.forEach(clearInterval);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The ESP32 tutorial's sketch: a WebSocket server on :81 that sends every frame as one
 * binary message to the most recently connected client only, and a text on connect.
 */
export async function startTutorialSketch(frames, { fps = 20 } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let newest = null;
  wss.on('connection', (ws) => {
    newest = ws;
    ws.send('Connected to ESP32-CAM');
  });
  let n = 0;
  const t = setInterval(() => {
    if (newest && newest.readyState === 1) newest.send(frames[n++ % frames.length], { binary: true });
  }, 1000 / fps);
  return {
    url: `ws://127.0.0.1:${wss.address().port}/`,
    async close() { clearInterval(t); for (const c of wss.clients) c.terminate(); await new Promise((r) => wss.close(r)); },
  };
}
