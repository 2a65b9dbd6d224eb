// Real nats-servers (Debian's) on loopback, clustered, for the cluster tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { until } from './wait.mjs';

export const NATS_BIN = process.env.NATS_SERVER_BIN || '/usr/sbin/nats-server';

export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * `n` nats-servers routed to each other; resolves once every one has its n-1 routes.
 * `auth`: { user, password } that clients must give.
 * The ports are found free and then given to nats-server, so another program may take one in
 * between (ctest runs suites side by side): a cluster that does not form is stopped and started
 * again on new ports, three times at most, and its servers never outlive a failure.
 */
export async function startNatsCluster(n = 3, options = {}) {
  let last;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(n, options);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

async function startOnce(n, { maxPayload = '8MB', auth = null }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wscam-nats-'));
  const members = [];
  for (let i = 0; i < n; i++) members.push({ name: `n${i + 1}`, client: await freePort(), route: await freePort(), http: await freePort() });
  const conf = (x) => `server_name: ${x.name}\nlisten: 127.0.0.1:${x.client}\nhttp: 127.0.0.1:${x.http}\n`
    + `max_payload: ${maxPayload}\n`
    + (auth ? `authorization {\n  user: ${auth.user}\n  password: ${auth.password}\n}\n` : '')
    + `cluster {\n  name: wscam-test\n  listen: 127.0.0.1:${x.route}\n`
    + `  routes: [${members.filter((o) => o !== x).map((o) => `nats-route://127.0.0.1:${o.route}`).join(', ')}]\n}\n`;
  const start = (x) => {
    const file = path.join(dir, `${x.name}.conf`);
    writeFileSync(file, conf(x));
    x.log = '';
    x.proc = spawn(NATS_BIN, ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    x.proc.stderr.on('data', (d) => { x.log += d; });
  };
  members.forEach(start);
  const routes = async (x) => (await (await fetch(`http://127.0.0.1:${x.http}/routez`)).json()).num_routes;
  try {
    await until(async () => {
      if (members.some((x) => x.proc.exitCode !== null)) return true;  // one could not start: try again
      try { return (await Promise.all(members.map(routes))).every((r) => r === n - 1); } catch { return false; }
    }, 'the NATS routes', 30000);
    const gone = members.find((x) => x.proc.exitCode !== null);
    if (gone) throw new Error(`nats-server ${gone.name} exited with ${gone.proc.exitCode}:\n${gone.log}`);
  } catch (e) {
    members.forEach((x) => x.proc.exitCode === null && x.proc.kill('SIGKILL'));
    throw new Error(`${e.message}\n${members.map((x) => `${x.name}:\n${x.log}`).join('\n')}`);
  }
  return {
    urls: members.map((x) => `nats://127.0.0.1:${x.client}`),
    /** --nats for a node whose own server is member i: that one first, then the others. */
    natsArg: (i) => [...members.slice(i), ...members.slice(0, i)].map((x) => `nats://127.0.0.1:${x.client}`).join(','),
    kill: (i) => members[i].proc.kill('SIGKILL'),
    logs: () => members.map((x) => `${x.name}:\n${x.log}`).join('\n'),
    stop: () => members.forEach((x) => x.proc.exitCode === null && x.proc.kill('SIGTERM')),
  };
}
