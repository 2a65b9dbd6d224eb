// Who may open a WebSocket from a web page (issue 10, first part): browsers send `Origin` and
// apply no CORS to WebSockets, so wscam checks it on every upgrade — viewers, publishers and
// the --ws-port listener. Real binary, the `ws` client setting the header as a browser would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import WebSocket from 'ws';
import { startWscam } from './lib/wscam.mjs';

/** Opens a WebSocket; resolves 'open' or the HTTP status and body it was refused with. */
function attempt(url, headers = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => { ws.close(); resolve({ status: 101 }); });
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.on('error', () => {});
  });
}

test('a page from another origin cannot open a viewer, publisher or --ws-port socket; its own host and scripts can', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--stream', 'pushed=push:',
    '--ws-port', '0']);
  const ws81 = `ws://127.0.0.1:${server.wsPort}/`;
  try {
    for (const url of [`${server.wsUrl}/ws/cam`, `${server.wsUrl}/publish/pushed`, ws81]) {
      const refused = await attempt(url, { Origin: 'http://localhost:9999' });
      assert.equal(refused.status, 403, url);
      assert.match(refused.body, /a page from http:\/\/localhost:9999 may not open this WebSocket \(start wscam with --allow-origin http:\/\/localhost:9999 to allow it\)/);
    }
    assert.equal((await attempt(`${server.wsUrl}/ws/cam`, { Origin: 'http://cam.example.evil' , Host: '127.0.0.1' })).status, 403);
    // Its own page (same host, this port), the tutorial's layout (same host, page on another port), no Origin at all.
    assert.equal((await attempt(`${server.wsUrl}/ws/cam`, { Origin: server.url })).status, 101);
    assert.equal((await attempt(ws81, { Origin: 'http://127.0.0.1' })).status, 101);
    assert.equal((await attempt(`${server.wsUrl}/ws/cam`)).status, 101);
    assert.equal((server.logs().match(/websocket refused .*may not open this WebSocket/g) || []).length, 4, 'one log line each');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('--allow-origin lets a listed origin (or any, with *) open sockets', async () => {
  const server = await startWscam(['--source', 'testsrc:?size=160x120', '--allow-origin', 'https://dash.example:8443',
    '--allow-origin', 'http://localhost:9999']);
  try {
    assert.equal((await attempt(`${server.wsUrl}/ws`, { Origin: 'https://dash.example:8443' })).status, 101);
    assert.equal((await attempt(`${server.wsUrl}/ws`, { Origin: 'http://localhost:9999' })).status, 101);
    assert.equal((await attempt(`${server.wsUrl}/ws`, { Origin: 'https://dash.example' })).status, 403);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const open = await startWscam(['--source', 'testsrc:?size=160x120', '--allow-origin', '*']);
  try {
    assert.equal((await attempt(`${open.wsUrl}/ws`, { Origin: 'http://anywhere.example' })).status, 101);
  } finally {
    assert.equal(await open.stop(), 0);
  }
});

/** One HTTP GET with the Host header given; resolves status and body. */
function getWithHost(port, path, host, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { ...(host === null ? {} : { Host: host }), ...headers },
      setHost: host !== null, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; if (res.headers['content-type']?.startsWith('multipart/')) req.destroy(); });
      res.on('close', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// DNS rebinding: a page at http://evil.example:PORT/ whose name the attacker then points at the
// camera's address is, to the browser, same-origin with the camera. Its requests carry
// `Host: evil.example:PORT` and (for WebSockets) `Origin: http://evil.example:PORT`, which agree,
// so the Origin check alone let it watch and control the camera.
test('DNS rebinding: a Host that is no name of this server is refused (421) wherever camera data or controls are served, while no token guards them', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--stream', 'pushed=push:']);
  const evil = `evil.example:${server.port}`;
  try {
    for (const path of ['/ws/cam', '/publish/pushed']) {
      const refused = await attempt(`${server.wsUrl}${path}`, { Host: evil, Origin: `http://${evil}` });
      assert.equal(refused.status, 421, path);
      assert.match(refused.body, /Host evil\.example is not a name of this server .*start wscam with --allowed-host evil\.example/, path);
    }
    for (const path of ['/snapshot/cam.jpg', '/stream/cam.mjpg', '/api/streams', '/metrics']) {
      const refused = await getWithHost(server.port, path, evil);
      assert.equal(refused.status, 421, path);
      assert.match(refused.body, /--allowed-host evil\.example/, path);
    }
    // The page and the health check serve no camera data: the Host does not matter there.
    assert.equal((await getWithHost(server.port, '/', evil)).status, 200);
    assert.equal((await getWithHost(server.port, '/healthz', evil)).status, 200);
    // A Host that is not a host name at all.
    assert.equal((await getWithHost(server.port, '/api/streams', `127.0.0.1@evil.example:${server.port}`)).status, 400);
    // Addresses, localhost and this machine's own names (what a browser on the LAN addresses).
    for (const host of [`127.0.0.1:${server.port}`, '127.0.0.1', `localhost:${server.port}`, 'LOCALHOST', 'localhost.',
      `[::1]:${server.port}`, `${os.hostname()}:${server.port}`, `${os.hostname()}.local`, null]) {
      assert.equal((await getWithHost(server.port, '/api/streams', host)).status, 200, `Host: ${host}`);
    }
    assert.equal((await attempt(`${server.wsUrl}/ws/cam`, { Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` })).status, 101);
    assert.equal((server.logs().match(/refused peer=\S+ path=\S+: Host evil\.example is not a name of this server/g) || []).length, 6,
      'one log line each');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('--allowed-host adds names (*.suffix for subdomains, * for any); a view token guards a stream in place of the Host check', async () => {
  const named = await startWscam(['--source', 'testsrc:?size=160x120', '--allowed-host', 'cam.example',
    '--allowed-host', '*.home.arpa']);
  try {
    for (const [host, status] of [['cam.example', 200], [`CAM.example:${named.port}`, 200], ['porch.home.arpa', 200],
      ['home.arpa', 421], ['evil.example', 421], ['cam.example.evil', 421]])
      assert.equal((await getWithHost(named.port, '/api/streams', host)).status, status, `Host: ${host}`);
  } finally {
    assert.equal(await named.stop(), 0);
  }
  const any = await startWscam(['--source', 'testsrc:?size=160x120', '--allowed-host', '*']);
  try {
    assert.equal((await getWithHost(any.port, '/api/streams', 'evil.example')).status, 200);
  } finally {
    assert.equal(await any.stop(), 0);
  }
  // A rebinding page cannot know the token (the browser sends the camera's cookie to the camera's
  // name only), so a request that brings it may use any name, e.g. through a proxy.
  const guarded = await startWscam(['--source', 'testsrc:?size=160x120', '--view-token', 'watch-me']);
  try {
    assert.equal((await getWithHost(guarded.port, '/api/streams', 'proxy.example')).status, 401);
    assert.equal((await getWithHost(guarded.port, '/api/streams?token=watch-me', 'proxy.example')).status, 200);
    assert.equal((await attempt(`${guarded.wsUrl}/ws?token=watch-me`, { Host: 'proxy.example', Origin: 'https://proxy.example' })).status, 101);
  } finally {
    assert.equal(await guarded.stop(), 0);
  }
});

/** A GET with headers chosen by the test (fetch would not send a Host of our choosing). */
function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

test('/api/origin tells any page whether its own origin may open sockets, and why not; the viewer\'s files are shared, its pages and data are not', async () => {
  const server = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--allow-origin', 'https://dash.example']);
  const tokened = await startWscam(['--stream', 'cam=testsrc:?size=160x120', '--view-token', 'v']);
  try {
    const ask = async (s, headers) => {
      const r = await get(s.port, '/api/origin', headers);
      assert.equal(r.status, 200);
      assert.equal(r.headers['access-control-allow-origin'], '*');
      return JSON.parse(r.body);
    };
    assert.deepEqual(await ask(server, { Origin: `http://127.0.0.1:${server.port}` }), { origin: `http://127.0.0.1:${server.port}`, allowed: true });
    assert.deepEqual(await ask(server, { Origin: 'https://dash.example' }), { origin: 'https://dash.example', allowed: true });
    assert.deepEqual(await ask(server, { Origin: 'https://shop.example' }), {
      origin: 'https://shop.example', allowed: false,
      reason: 'a page from https://shop.example may not open this WebSocket (start wscam with --allow-origin https://shop.example to allow it)',
    });
    // A page at a name the server does not answer to (DNS rebinding): its sockets get 421, and so
    // does its question; where a token guards watching, the token decides, not the name.
    const rebound = await ask(server, { Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}` });
    assert.equal(rebound.allowed, false);
    assert.match(rebound.reason, /--allowed-host evil\.example/);
    assert.equal((await ask(tokened, { Host: `evil.example:${tokened.port}`, Origin: `http://evil.example:${tokened.port}` })).allowed, true);

    // The viewer's modules (what /player.js imports) may be read by any page; nothing else may.
    for (const path of ['/player.js', '/stream_view.js', '/viewer.css'])
      assert.equal((await get(server.port, path, { Origin: 'https://shop.example' })).headers['access-control-allow-origin'], '*', path);
    for (const path of ['/', '/embed/cam', '/api/streams', '/snapshot/cam.jpg', '/metrics'])
      assert.equal((await get(server.port, path, { Origin: 'https://shop.example' })).headers['access-control-allow-origin'], undefined, path);
    const embed = await get(server.port, '/embed/cam');
    assert.equal(embed.status, 200);
    assert.match(embed.headers['content-type'], /^text\/html/);
    assert.match(embed.body, /<script type="module" src="\/embed.js">/);
    assert.equal((await get(server.port, '/embed/../etc/passwd')).status, 404);
    assert.equal((await get(server.port, '/embed/')).status, 404);
  } finally {
    await server.stop();
    await tokened.stop();
  }
});
