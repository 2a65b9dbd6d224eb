// Debian's chromium driven by playwright-core (no browser download).
import { chromium } from 'playwright-core';

export async function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/**
 * The name a page is opened at to be on an insecure origin, as http://192.168.1.20 is: Chromium
 * counts 127.0.0.0/8 and localhost as secure contexts, so a made-up name is mapped to 127.0.0.1
 * (launchChromium(INSECURE_HOST_ARGS)); the server must be told to serve it (--allowed-host).
 */
export const INSECURE_HOST = 'wscam.lan.test';
export const INSECURE_HOST_ARGS = [`--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`];

/** Opens `url` and records console errors and page errors. */
export async function openPage(browser, url, viewport = { width: 1000, height: 700 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

export const stats = (page) => page.evaluate(() => ({ ...window.wscamStats }));

export async function waitFor(page, predicate, arg, timeout = 15000) {
  await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
}
