// What the cluster suites watch with: a wscam.v1 viewer that keeps each frame's header fields,
// its bytes and arrival time, and every text; and a node's stream list.
import WebSocket from 'ws';

export function watch(url) {
  const v = { frames: [], texts: [], closed: null, ws: new WebSocket(url, ['wscam.v1']) };
  v.ws.on('message', (data, binary) => {
    if (!binary) return v.texts.push(JSON.parse(data.toString()));
    v.frames.push({
      at: performance.now(), width: data.readUInt16BE(2), height: data.readUInt16BE(4),
      seq: Number(data.readBigUInt64BE(8)), capture: Number(data.readBigInt64BE(16)), jpeg: data.subarray(data[1]),
    });
  });
  v.ws.on('close', (code) => { v.closed = code; });
  v.ws.on('error', () => {});
  v.opened = new Promise((r) => v.ws.once('open', r));
  return v;
}

/** GET /api/streams of a node: its streams, local and remote. */
export const streams = async (server) => (await (await fetch(`${server.url}/api/streams`)).json()).streams;
