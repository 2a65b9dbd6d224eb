// A wscam.v1 WebSocket viewer for tests (the `ws` package): every text parsed, every binary
// message read as a frame (its header's fields, the payload after header_size, when it came).
// With protocols [] it is a plain client: each binary message is a bare payload.
import WebSocket from 'ws';

export function watch(url, protocols = ['wscam.v1']) {
  const v = { frames: [], texts: [], closed: null, ws: new WebSocket(url, protocols) };
  v.ws.on('message', (data, binary) => {
    if (!binary) return v.texts.push(JSON.parse(data.toString()));
    if (!protocols.length) return v.frames.push({ at: performance.now(), payload: Buffer.from(data) });
    v.frames.push({
      at: performance.now(), type: data[0], key: (data[6] & 1) === 1, width: data.readUInt16BE(2), height: data.readUInt16BE(4),
      seq: Number(data.readBigUInt64BE(8)), capture: Number(data.readBigInt64BE(16)), publish: Number(data.readBigInt64BE(24)),
      payload: Buffer.from(data.subarray(data[1])),
    });
  });
  v.ws.on('close', (code, reason) => { v.closed = { code, reason: reason.toString() }; });
  v.ws.on('error', () => {});
  v.opened = new Promise((r) => v.ws.once('open', r));
  return v;
}
