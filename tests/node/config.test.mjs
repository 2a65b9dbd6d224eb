// wscam --config FILE (issue 11, part 1): a TOML file with every option and one [[stream]]
// per camera; the command line overrides it; mistakes are refused with FILE:LINE and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWscam, upgradeStatus, WSCAM_BIN } from './lib/wscam.mjs';
import { until } from './lib/wait.mjs';

const example = new URL('../../packaging/wscam.toml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wscam-config-'));
const file = (name, text) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const run = (args) => spawnSync(WSCAM_BIN, args, { timeout: 10000, encoding: 'utf8' });


test('the example config checks out, and --check-config lists what it would run', () => {
  const r = run(['--config', example, '--check-config']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wscam\.toml: 1 stream\(s\)\n {2}test +testsrc:\?size=640x480&fps=30&quality=80\n/);
  const cfg = file('two.toml', `
[[stream]]
name = "porch"
source = "http://10.0.0.20:81/stream"
view_token = "porch-secret"
always_on = true

[[stream]]
name = "desk"
source = "testsrc:"
size = "QVGA"
`);
  const two = run(['--config', cfg, '--check-config']);
  assert.equal(two.status, 0, two.stderr);
  assert.match(two.stdout, /porch +http:\/\/10\.0\.0\.20:81\/stream {2}\(always on\) {2}\(view token\)/);
  assert.match(two.stdout, /desk +testsrc:\?size=320x240/);
});

test('mistakes in the file are refused at start with the file, the line and the reason (exit code 2)', () => {
  const cases = [
    ['prot = 8080\n', /bad\.toml:1: unknown setting 'prot' \(the settings are the long options of wscam --help\)/],
    ['port = "eighty"\n', /Could not convert: --port = eighty[\s\S]*\(.*bad\.toml:1 sets port\)/],
    ['always_on = 3\n', /bad\.toml:1: always-on is true or false/],
    ['[[stream]]\nname = "a"\nsource = "testsrc:"\n[[stream]]\nname = "a"\nsource = "testsrc:"\n', /bad\.toml:4:1: stream 'a' is defined twice/],
    ['[[stream]]\nname = "a"\nsource = "nope:x"\n', /bad\.toml:1: stream a: source scheme 'nope:' is not supported/],
    ['[[stream]]\nname = "a"\nsource = "testsrc:"\nsize = "huge"\n', /bad\.toml:1: stream a: size: /],
    ['port = 80\n[[stream]\n', /bad\.toml:2:\d+: /],
  ];
  for (const [text, expected] of cases) {
    const r = run(['--config', file('bad.toml', text), '--check-config']);
    assert.equal(r.status, 2, `${text}: ${r.stderr}`);
    assert.match(r.stderr, expected, text);
  }
  const missing = run(['--config', join(dir, 'nowhere.toml')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nowhere\.toml: cannot read: No such file or directory/);
});

test('a running server from a config: the command line overrides it, each stream has its own token and always_on', async () => {
  const cfg = file('run.toml', `
port = 1                      # overridden by --port 0 on the command line
view_token = "everyone"

[[stream]]
name = "open"
source = "testsrc:?size=160x120"
view_token = ""

[[stream]]
name = "guarded"
source = "testsrc:?size=160x120"
view_token = "guarded-secret"
always_on = true

[[stream]]
name = "replaced"
source = "testsrc:?size=160x120"
`);
  const server = await startWscam(['--config', cfg, '--stream', 'replaced=testsrc:?size=320x240']);
  try {
    // The stream's start line may follow the one that says it listens.
    await until(() => /stream=replaced source=testsrc:\?size=\d+x\d+/.test(server.logs()), 'the replaced stream\'s start line');
    assert.match(server.logs(), /stream=replaced source=testsrc:\?size=320x240/, '--stream replaces the file\'s stream');
    await until(() => /stream=guarded source capturing/.test(server.logs()), 'always_on: captures with nobody watching');
    assert.doesNotMatch(server.logs(), /stream=open source capturing/);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/open`), 101, 'a stream whose own view_token is empty is open');
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/guarded`), 401);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/guarded?token=everyone`), 401, 'its own token, not the server-wide one');
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/guarded?token=guarded-secret`), 101);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/replaced`), 401);
    assert.equal(await upgradeStatus(`${server.wsUrl}/ws/replaced?token=everyone`), 101, 'the server-wide token for the others');
    assert.equal((await fetch(`${server.url}/snapshot/guarded.jpg`)).status, 401);
    assert.equal((await fetch(`${server.url}/snapshot/guarded.jpg?token=guarded-secret`)).status, 200);
    assert.doesNotMatch(server.logs(), /guarded-secret|everyone/, 'tokens are never logged');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('allowed_host in the file: the names requests for camera data may address (DNS rebinding guard)', async () => {
  const cfg = file('hosts.toml', 'allowed_host = ["cam.example", "*.home.arpa"]\n[[stream]]\nname = "cam"\nsource = "testsrc:?size=160x120"\n');
  const server = await startWscam(['--config', cfg]);
  try {
    const status = async (host) => (await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/api/streams', headers: { Host: host } }, (res) => {
        res.resume();
        resolve(res);
      }).on('error', reject);
    })).statusCode;
    assert.equal(await status('cam.example'), 200);
    assert.equal(await status('porch.home.arpa'), 200);
    assert.equal(await status('evil.example'), 421);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const bad = run(['--allowed-host', 'http://cam.example']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--allowed-host: 'http:\/\/cam\.example' is not a host name/);
});
