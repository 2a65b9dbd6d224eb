#!/usr/bin/env node
// codec_record: records what wscam.v1 viewers receive, for bench/codec.sh. Each --viewer
// NAME=URL opens one WebSocket viewer (subprotocol wscam.v1) and writes, from its first
// message on, the payloads back to back to DIR/NAME.bin (JPEGs: an MJPEG clip; H.264: an
// Annex B stream ffmpeg decodes from its first keyframe) and one line per binary message to
// DIR/NAME.idx: sequence, capture_us, arrival_us (this process's clock, the system clock on
// one host), message bytes (header included), type (1 JPEG, 2 H.264), keyframe flag, width,
// height, header size. The hello message goes to DIR/NAME.hello.json. All viewers connect at once and the
// recording ends after --seconds; DIR/meta.json says when it started.
//
//   node bench/codec_record.mjs --out DIR --seconds 12 --viewer jpeg=ws://127.0.0.1:8080/ws \
//        --viewer h264='ws://127.0.0.1:8080/ws?codec=h264'
import { parseArgs } from 'node:util';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
// The tests' node_modules has `ws`.
const WebSocket = createRequire(path.join(here, '../tests/node/package.json'))('ws');

const { values } = parseArgs({ options: {
  out: { type: 'string' }, seconds: { type: 'string', default: '10' }, viewer: { type: 'string', multiple: true },
} });
if (!values.out || !values.viewer?.length) {
  console.error('usage: codec_record.mjs --out DIR --seconds S --viewer NAME=URL [--viewer NAME=URL ...]');
  process.exit(2);
}
mkdirSync(values.out, { recursive: true });
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const started = nowUs();
const seconds = Number(values.seconds);

const viewers = values.viewer.map((spec) => {
  const eq = spec.indexOf('=');
  const name = spec.slice(0, eq), url = spec.slice(eq + 1);
  const v = {
    name, url, messages: 0, bytes: 0, error: null, closed: null,
    bin: createWriteStream(path.join(values.out, `${name}.bin`)),
    idx: createWriteStream(path.join(values.out, `${name}.idx`)),
    ws: new WebSocket(url, ['wscam.v1']),
  };
  v.ws.on('message', (data, binary) => {
    if (!binary) {
      const msg = JSON.parse(data.toString());
      if (msg.type === 'hello') writeFileSync(path.join(values.out, `${name}.hello.json`), JSON.stringify(msg, null, 2));
      return;
    }
    const at = nowUs();
    const hs = data[1];
    v.bin.write(data.subarray(hs));
    v.idx.write(`${data.readBigUInt64BE(8)} ${data.readBigInt64BE(16)} ${at} ${data.length} ${data[0]} ${data[6] & 1} `
      + `${data.readUInt16BE(2)} ${data.readUInt16BE(4)} ${hs}\n`);
    v.messages++;
    v.bytes += data.length;
  });
  v.ws.on('error', (e) => { v.error = String(e.message ?? e); });
  v.ws.on('close', (code) => { v.closed = code; });
  return v;
});

await new Promise((r) => setTimeout(r, seconds * 1000));
for (const v of viewers) v.ws.terminate();
await Promise.all(viewers.flatMap((v) => [new Promise((r) => v.bin.end(r)), new Promise((r) => v.idx.end(r))]));
writeFileSync(path.join(values.out, 'meta.json'), JSON.stringify({ started_us: started, seconds,
  viewers: viewers.map((v) => ({ name: v.name, url: v.url, messages: v.messages, bytes: v.bytes, error: v.error })) }, null, 2));
let bad = false;
for (const v of viewers) {
  console.log(`${v.name}: ${v.messages} messages, ${v.bytes} bytes${v.error ? `, error: ${v.error}` : ''}`);
  if (!v.messages) bad = true;
}
process.exit(bad ? 1 : 0);
