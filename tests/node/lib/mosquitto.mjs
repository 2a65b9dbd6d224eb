// Debian's real mosquitto broker and mosquitto_sub, for the MQTT tests: a broker of its own on a
// free loopback port, and a subscriber that keeps every message (topic, retain flag, payload bytes).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, until } from './wait.mjs';

const MOSQUITTO = process.env.MOSQUITTO_BIN || '/usr/sbin/mosquitto';

export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** A broker on `port` (a free one by default); `extra` lines go into its config (users, TLS). */
export async function startBroker({ port, extra = '' } = {}) {
  port = port || await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wscam-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\npersistence false\nlog_dest stderr\n${extra || 'allow_anonymous true\n'}`);
  const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  await until(() => /running|Opening ipv4 listen socket/.test(log) || proc.exitCode !== null, 'mosquitto starts', 5000);
  if (proc.exitCode !== null) throw new Error(`mosquitto did not start:\n${log}`);
  await sleep(100);
  return {
    port, dir, logs: () => log,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** mosquitto_sub on `topics`: each message as { at (ms, Date.now), topic, retained, payload (Buffer), text }. */
export function subscribe(port, topics, args = []) {
  const proc = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-F', '%r %t %x', ...args,
    ...topics.flatMap((t) => ['-t', t])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages = [];
  let rest = '';
  proc.stdout.on('data', (d) => {
    rest += d;
    let nl;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      const [retain, topic, hex = ''] = line.split(' ');
      const payload = Buffer.from(hex, 'hex');
      messages.push({ at: Date.now(), topic, retained: retain === '1', payload, text: payload.toString() });
    }
  });
  return { messages, stop: () => proc.kill('SIGTERM'), proc };
}
