// A TCP proxy with a slow downlink: what the server sends reaches the client at `kbps` at most
// (a token bucket refilled every 10 ms); what the client sends goes through at once. The proxy
// stops reading from the server while it holds more than `holdBytes`, so the server's socket
// fills up as on a slow link.
import net from 'node:net';
import { once } from 'node:events';

export async function slowLink(targetPort, { kbps, holdBytes = 32 * 1024 } = {}) {
  const bytesPer10ms = (kbps * 1000) / 8 / 100;
  const pairs = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const queue = [];
    let held = 0;
    let budget = 0;
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      queue.push(chunk);
      held += chunk.length;
      if (held > holdBytes) upstream.pause();
    });
    pair.timer = setInterval(() => {
      budget = Math.min(budget + bytesPer10ms, bytesPer10ms * 5);
      while (queue.length && budget >= 1) {
        let chunk = queue[0];
        if (chunk.length > budget) {
          queue[0] = chunk.subarray(Math.floor(budget));
          chunk = chunk.subarray(0, Math.floor(budget));
        } else {
          queue.shift();
        }
        budget -= chunk.length;
        held -= chunk.length;
        client.write(chunk);
      }
      if (held <= holdBytes && upstream.isPaused()) upstream.resume();
    }, 10);
    const end = () => { clearInterval(pair.timer); client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    url: `http://127.0.0.1:${server.address().port}`,
    close() {
      for (const { timer, client, upstream } of pairs) { clearInterval(timer); client.destroy(); upstream.destroy(); }
      return new Promise((r) => server.close(r));
    },
  };
}
