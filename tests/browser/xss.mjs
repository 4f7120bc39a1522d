// Loads every URL given on stdin (JSON list) in headless Chromium with JavaScript on,
// injecting nothing (so a strict CSP applies as to a resident), and reports per page:
// whether any injected script ran (the XSS payloads set window.__xss or try alert),
// console errors and warnings (CSP violations among them), and requests leaving 127.0.0.1.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const urls = JSON.parse(readFileSync(0, 'utf-8'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
for (const url of urls) {
  const page = await context.newPage();
  const dialogs = [];
  const outside = [];
  const consoleMessages = [];
  page.on('console', (msg) => {
    if (['error', 'warning'].includes(msg.type())) consoleMessages.push(msg.text());
  });
  page.on('dialog', async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
  page.on('request', (request) => {
    const host = new URL(request.url()).hostname;
    if (!['127.0.0.1', ''].includes(host) && !request.url().startsWith('data:')) outside.push(request.url());
  });
  let flag = null;
  let error = null;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 20000 });
    await page.waitForTimeout(150);  // let timers and late event handlers fire
    // hover and focus everything, for on* handlers that wait for a user
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('*')) {
        for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'animationstart', 'load', 'error']) {
          try { el.dispatchEvent(new Event(type)); } catch (e) { /* ignore */ }
        }
      }
    });
    await page.waitForTimeout(50);
    flag = await page.evaluate(() => window.__xss ?? null);
  } catch (e) {
    error = String(e);
  }
  process.stdout.write(JSON.stringify({ url, flag, dialogs, outside, error, consoleMessages }) + '\n');
  await page.close();
}
await browser.close();
