// The viewer page over https:// in real Chromium: the page connects with wss:// on the same
// port and paints frames. Chromium is told to accept the test certificate for this test only
// (ignoreHTTPSErrors on its context); everything else is the real TLS path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startWscam } from './lib/wscam.mjs';
import { makeCa, makeServerCert } from './lib/certs.mjs';
import { launchChromium } from './lib/browser.mjs';

const OUT_DIR = process.env.WSCAM_TEST_OUT || new URL('../../build/', import.meta.url).pathname;

test('the viewer loaded over https:// streams over wss:// on the same port', async () => {
  const ca = makeCa();
  const cert = makeServerCert(ca);
  const server = await startWscam(['--source', 'testsrc:?size=320x240&fps=30', '--tls-cert', cert.cert, '--tls-key', cert.key]);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 640 } });
    const page = await context.newPage();
    const errors = [];
    const sockets = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(server.url);
    assert.equal(new URL(page.url()).protocol, 'https:');
    await page.waitForFunction(() => window.wscamStats.state === 'live' && window.wscamStats.framesPainted > 30,
      null, { timeout: 15000, polling: 50 });
    assert.ok(sockets.length >= 1 && sockets.every((u) => u.startsWith(`wss://127.0.0.1:${server.port}/`)),
      `the page used wss:// only: ${sockets}`);
    assert.match(server.logs(), /viewer open stream=default peer=\S+ path=\/ws\/default protocol=wscam\.v1 tls/);
    mkdirSync(OUT_DIR, { recursive: true });
    await page.screenshot({ path: `${OUT_DIR}/viewer-tls.png` });
    assert.deepEqual(errors, []);

    // The same page over plain http:// on the same port still works, with ws://.
    const plain = await context.newPage();
    const plainSockets = [];
    plain.on('websocket', (ws) => plainSockets.push(ws.url()));
    await plain.goto(server.plainUrl);
    await plain.waitForFunction(() => window.wscamStats.state === 'live' && window.wscamStats.framesPainted > 10,
      null, { timeout: 15000, polling: 50 });
    assert.ok(plainSockets.every((u) => u.startsWith('ws://')), `${plainSockets}`);
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});
