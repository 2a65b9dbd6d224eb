// A measuring RTSP reader for tests and benchmarks: DESCRIBE, SETUP with RTP interleaved over
// the TCP connection, PLAY; then it notes when each access unit's last packet (RTP marker bit)
// arrived and, from the RTCP sender reports (which map RTP time to the server's wall clock, the
// capture clock), when the unit was captured. Correctness is checked with real players (ffprobe,
// ffmpeg, VLC); this only times what arrives. Also: one request at a time (request()).
import net from 'node:net';

/** Sends RTSP requests on one connection and reads each answer whole (status, headers, body). */
export class RtspConnection {
  constructor(host, port, localAddress = undefined) {
    this.socket = net.connect({ port, host, localAddress });
    this.buf = Buffer.alloc(0);
    this.cseq = 0;
    this.waiting = null;
    this.onData = null;  // (channel, payload) for interleaved data
    this.closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.opened = new Promise((resolve, reject) => { this.socket.once('connect', resolve); this.socket.once('error', reject); });
    this.socket.on('error', () => {});
    this.socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
  }

  parse() {
    for (;;) {
      if (this.buf.length >= 4 && this.buf[0] === 0x24) {  // '$' channel length payload
        const len = this.buf.readUInt16BE(2);
        if (this.buf.length < 4 + len) return;
        const payload = this.buf.subarray(4, 4 + len);
        const channel = this.buf[1];
        this.buf = this.buf.subarray(4 + len);
        if (this.onData) this.onData(channel, payload);
        continue;
      }
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = {};  // a header given twice (WWW-Authenticate) keeps both, one a line
      for (const l of head.slice(1)) {
        const name = l.slice(0, l.indexOf(':')).trim().toLowerCase();
        const value = l.slice(l.indexOf(':') + 1).trim();
        headers[name] = name in headers ? `${headers[name]}\n${value}` : value;
      }
      const length = Number(headers['content-length'] || 0);
      if (this.buf.length < end + 4 + length) return;
      const body = this.buf.subarray(end + 4, end + 4 + length).toString('latin1');
      this.buf = this.buf.subarray(end + 4 + length);
      const status = Number(head[0].split(' ')[1]);
      const w = this.waiting;
      this.waiting = null;
      if (w) w({ status, line: head[0], headers, body });
    }
  }

  /** One request; resolves with its answer, or { status: 0 } when the server closes first. */
  async request(method, url, headers = {}) {
    await this.opened;
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    const answer = new Promise((resolve) => { this.waiting = resolve; this.closed.then(() => resolve({ status: 0 })); });
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    return answer;
  }

  close() { this.socket.destroy(); }
}

/**
 * Reads `url` (rtsp://host:port/name[?token=...]) with RTP over TCP. `units` gets one entry per
 * access unit: { at } (arrival, ms on the wall clock), { rtp } (its RTP time); `sr` is the newest
 * sender report's mapping of RTP time to the server's wall clock (timing() dates units with it).
 */
export async function readRtsp(url, { authorization } = {}) {
  const u = new URL(url.replace(/^rtsp:/, 'http:'));
  const c = new RtspConnection(u.hostname, Number(u.port));
  const auth = authorization ? { Authorization: authorization } : {};
  const described = await c.request('DESCRIBE', url, { Accept: 'application/sdp', ...auth });
  if (described.status !== 200) { c.close(); return { status: described.status, answer: described, units: [] }; }
  const base = described.headers['content-base'] || `${url}/`;
  const control = (described.body.match(/^a=control:(?!\*)(.+)$/m) || [, 'stream=0'])[1].trim();
  const track = /^rtsp:/.test(control) ? control : `${base.replace(/\/$/, '')}/${control}`;
  const setup = await c.request('SETUP', track, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', ...auth });
  if (setup.status !== 200) { c.close(); return { status: setup.status, answer: setup, units: [] }; }
  const session = setup.headers.session.split(';')[0];
  const reader = { status: 200, sdp: described.body, units: [], packets: 0, connection: c, sr: null };
  c.onData = (channel, p) => {
    const now = performance.timeOrigin + performance.now();
    if (channel === 1 && p.length >= 20 && p[1] === 200) {  // RTCP sender report: NTP time and its RTP time
      const ntp = p.readUInt32BE(8) + p.readUInt32BE(12) / 2 ** 32;
      reader.sr = { unixMs: (ntp - 2208988800) * 1000, rtp: p.readUInt32BE(16) };
      return;
    }
    if (channel !== 0 || p.length < 12) return;
    reader.packets++;
    if (!(p[1] & 0x80)) return;  // not the unit's last packet
    reader.units.push({ at: now, rtp: p.readUInt32BE(4) });
  };
  const played = await c.request('PLAY', base, { Session: session, Range: 'npt=0-', ...auth });
  reader.status = played.status;
  reader.close = () => c.close();
  return reader;
}

/**
 * Gaps between arrivals (ms) and capture-to-arrival latencies (ms) of a reader's units from index
 * `from`; the capture times from the newest sender report's mapping (none before the first report).
 */
export function timing(reader, from = 0) {
  const u = reader.units.slice(from);
  const gaps = u.slice(1).map((x, i) => x.at - u[i].at);
  const sr = reader.sr;
  const latencies = sr ? u.map((x) => x.at - (sr.unixMs + ((x.rtp - sr.rtp) | 0) / 90)) : [];
  return { gaps, latencies };
}
