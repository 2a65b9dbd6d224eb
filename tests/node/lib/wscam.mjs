// Starts the real wscam binary on a free port and finds its URL on stdout.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';

export const WSCAM_BIN = process.env.WSCAM_BIN || new URL('../../../build/wscam', import.meta.url).pathname;

/**
 * `wrap`: a command that runs wscam in the end with `exec "$@"` (e.g. in a mount namespace of its
 * own), so that the process is still wscam's.
 */
export async function startWscam(args = [], { bin = WSCAM_BIN, stdin = 'ignore', wrap = [] } = {}) {
  // No RTSP unless a test asks (--rtsp-port): tests run side by side, and one port 8554 is not enough for them.
  // (Only wscam has the option: the same helper starts the tutorial's counter server.)
  const rtsp = args.includes('--rtsp-port') || bin !== WSCAM_BIN ? [] : ['--rtsp-port', '0'];
  const argv = [bin, '--listen', '127.0.0.1', '--port', '0', ...rtsp, ...args];
  const proc = spawn(wrap.length ? wrap[0] : bin, wrap.length ? [...wrap.slice(1), ...argv] : argv.slice(1),
    { stdio: [stdin, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const ready = new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      stdout += d;
      const http = stdout.match(/open https?:\/\/127\.0\.0\.1:(\d+)\//);
      const wantWs = args.includes('--ws-port');
      const ws = stdout.match(/websocket-only listener wss?:\/\/127\.0\.0\.1:(\d+)\//);
      const rtsp = stdout.match(/rtsp rtsp:\/\/127\.0\.0\.1:(\d+)\//);
      // The RTSP line comes with the HTTP one (one flush).
      if (http && (!wantWs || ws)) resolve({ port: Number(http[1]), wsPort: ws ? Number(ws[1]) : undefined, rtspPort: rtsp ? Number(rtsp[1]) : undefined });
    });
    proc.once('exit', (code) => reject(new Error(`wscam exited with ${code} before listening:\n${stderr}`)));
    proc.once('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message}`)));
  });
  const { port, wsPort, rtspPort } = await ready;
  const tls = /open https:/.test(stdout);
  return {
    proc, port, wsPort, rtspPort,
    /** rtsp://127.0.0.1:PORT/NAME, when it serves RTSP (--rtsp-port). */
    rtspUrl: (name) => `rtsp://127.0.0.1:${rtspPort}/${name}`,
    url: `http${tls ? 's' : ''}://127.0.0.1:${port}`,
    wsUrl: `ws${tls ? 's' : ''}://127.0.0.1:${port}`,
    /** The same port spoken in plain http:// and ws:// (TLS servers take both). */
    plainUrl: `http://127.0.0.1:${port}`,
    plainWsUrl: `ws://127.0.0.1:${port}`,
    logs: () => stderr,
    /** Stops it with `signal`; a server that has not exited 15 s later is killed, and that is an error. */
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = once(proc, 'exit');
      proc.kill(signal);
      let timer;
      const hung = new Promise((resolve) => { timer = setTimeout(resolve, 15000, 'hung'); });
      const result = await Promise.race([exited, hung]);
      clearTimeout(timer);
      if (result === 'hung') {
        // Where every thread is: the one thing that explains a hang after the fact.
        let stacks = '';
        try {
          stacks = execFileSync('gdb', ['-p', String(proc.pid), '-batch', '-ex', 'thread apply all bt'],
            { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'ignore'] });
        } catch (e) { stacks = `(no stacks: ${e.message})`; }
        proc.kill('SIGKILL');
        throw new Error(`wscam did not exit within 15 s of ${signal}; its log ends:\n${stderr.slice(-4000)}\nits threads:\n${stacks}`);
      }
      return result[0];
    },
  };
}

/** What a WebSocket upgrade to `url` is answered: 101 when it opens (then closed), else the HTTP status. */
export function upgradeStatus(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (req, res) => resolve(res.statusCode));
    ws.on('error', () => {});
  });
}

/** Width and height from a JPEG's SOF marker, or null if the bytes are not a JPEG. */
export function jpegSize(buf) {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  if (buf[buf.length - 2] !== 0xff || buf[buf.length - 1] !== 0xd9) return null;
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

/** Collects messages from a `ws` WebSocket until `count` binary ones arrived. */
export function collect(ws, count) {
  return new Promise((resolve, reject) => {
    const binary = [];
    const text = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) binary.push(data); else text.push(data.toString());
      if (binary.length >= count) resolve({ binary, text });
    });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed (${code}) after ${binary.length} frames`)));
  });
}

/** A value of `server`'s /metrics: `name` as it is written there, labels included (wscam_rtsp_readers{stream="cam"}); NaN when absent. */
export async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}
