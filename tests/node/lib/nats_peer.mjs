// A hostile NATS peer: a raw client of the NATS text protocol (CONNECT, PUB, HPUB, SUB), so that
// tests can send exactly the bytes a party with publish rights on the cluster's NATS could, with
// any headers, copied from what it reads. Not a NATS library: it never reconnects, and it keeps
// every message it gets on the subjects it subscribed to.
import net from 'node:net';

/** Connects to `url` (nats://host:port); resolves once the server has answered a PING. */
export async function natsPeer(url, { user, password } = {}) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const peer = { socket, received: [], sids: 0, closed: false };
  let buffer = Buffer.alloc(0);
  let pongs = [];
  socket.on('data', (d) => {
    buffer = Buffer.concat([buffer, d]);
    for (;;) {
      const eol = buffer.indexOf('\r\n');
      if (eol < 0) return;
      const line = buffer.subarray(0, eol).toString();
      if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
        // MSG <subject> <sid> [reply] <bytes> / HMSG <subject> <sid> [reply] <hdr bytes> <total bytes>
        const words = line.split(' ');
        const headers = line.startsWith('HMSG ');
        const total = Number(words[words.length - 1]);
        const headerBytes = headers ? Number(words[words.length - 2]) : 0;
        if (buffer.length < eol + 2 + total + 2) return;
        const body = buffer.subarray(eol + 2, eol + 2 + total);
        const head = headers ? body.subarray(0, headerBytes).toString() : '';
        const fields = {};
        for (const h of head.split('\r\n').slice(1)) {
          const colon = h.indexOf(':');
          if (colon > 0) fields[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
        }
        const replyAt = headers ? words.length - 3 : words.length - 2;
        peer.received.push({ subject: words[1], reply: replyAt > 2 ? words[replyAt] : '', headers: fields,
          data: Buffer.from(body.subarray(headerBytes)) });
        buffer = buffer.subarray(eol + 2 + total + 2);
      } else {
        if (line === 'PING') socket.write('PONG\r\n');
        if (line === 'PONG') { pongs.forEach((r) => r()); pongs = []; }
        buffer = buffer.subarray(eol + 2);
      }
    }
  });
  socket.on('close', () => { peer.closed = true; });
  socket.on('error', () => {});
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const connect = { verbose: false, pedantic: false, headers: true, no_responders: false, name: 'hostile peer', lang: 'node-raw' };
  if (user) Object.assign(connect, { user, pass: password });
  socket.write(`CONNECT ${JSON.stringify(connect)}\r\n`);

  /** Resolves when the server has processed everything sent before it. */
  peer.flush = () => new Promise((resolve) => { pongs.push(resolve); socket.write('PING\r\n'); });
  peer.subscribe = (subject) => { socket.write(`SUB ${subject} ${++peer.sids}\r\n`); return peer.flush(); };
  /** Publishes `data` (Buffer or string) on `subject`, with NATS headers when `headers` has any. */
  peer.publish = (subject, data, headers = {}, reply = '') => {
    const body = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const names = Object.keys(headers);
    const replyPart = reply ? ` ${reply}` : '';
    if (names.length === 0) {
      socket.write(Buffer.concat([Buffer.from(`PUB ${subject}${replyPart} ${body.length}\r\n`), body, Buffer.from('\r\n')]));
      return;
    }
    const head = Buffer.from(`NATS/1.0\r\n${names.map((n) => `${n}: ${headers[n]}`).join('\r\n')}\r\n\r\n`);
    socket.write(Buffer.concat([Buffer.from(`HPUB ${subject}${replyPart} ${head.length} ${head.length + body.length}\r\n`),
      head, body, Buffer.from('\r\n')]));
  };
  /** The messages received on `subject` so far. */
  peer.on = (subject) => peer.received.filter((m) => m.subject === subject);
  peer.close = () => socket.destroy();
  await peer.flush();
  return peer;
}

/** A wscam.v1 frame message: the 32-byte header (JPEG, width, height, sequence, capture time), then `jpeg`. */
export function framedJpeg(jpeg, { width, height, sequence, captureUs = Date.now() * 1000 }) {
  const header = Buffer.alloc(32);
  header[0] = 1;   // JPEG
  header[1] = 32;  // header size
  header.writeUInt16BE(width, 2);
  header.writeUInt16BE(height, 4);
  header.writeBigUInt64BE(BigInt(sequence), 8);
  header.writeBigInt64BE(BigInt(captureUs), 16);
  return Buffer.concat([header, jpeg]);
}
