// Who may open a WebSocket from a web page (issue 10, first part): browsers send `Origin` and
// apply no CORS to WebSockets, so wscam checks it on every upgrade — viewers, publishers and
// the --ws-port listener. Real binary, the `ws` client setting the header as a browser would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
