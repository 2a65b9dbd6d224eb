import { chromium } from 'playwright-core';
import { startWscam } from './lib/wscam.mjs';
import { sleep } from './lib/wait.mjs';
const server = await startWscam(['--source', 'testsrc:?size=640x480&fps=30', '--allowed-host', 'cam.test']);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', `--host-resolver-rules=MAP cam.test 127.0.0.1`] });
const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', String(e)));
await page.goto(`http://cam.test:${server.port}/`);
console.log('secure', await page.evaluate(() => window.isSecureContext));
for (let i = 0; i < 8; i++) {
  await sleep(1000);
  const s = await page.evaluate(() => ({ ...window.wscamStats }));
  console.log(JSON.stringify({ codec: s.codec, path: s.h264Path, fps: s.fps, lat: s.latencyP50Ms, painted: s.framesPainted, recv: s.framesReceived, dropped: s.clientDropped, note: s.codecNote, why: s.codecWhy, state: s.state }));
}
await page.screenshot({ path: '/tmp/msetry/mse.png' });
await browser.close();
await server.stop();
