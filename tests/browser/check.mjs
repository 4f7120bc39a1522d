// Loads bangtin pages in Debian's Chromium as a low-end phone would, and measures them.
//
// Usage: node check.mjs '<json>'   (or the JSON on stdin)
//   {"pages": [{"url": "http://127.0.0.1:8080/", "screenshot": "/tmp/home.png"}, ...],
//    "javaScriptEnabled": true,      // false: the page as a phone with JavaScript off sees it
//    "axe": true}                    // run axe-core (needs JavaScript; ignored when it is off)
// Prints one JSON object per page, one per line, in the order given. It only measures:
// the Python tests (tests/test_browser.py) decide what passes.
//
// Rules measured, and why:
// - overflow: document.documentElement.scrollWidth at a 320 CSS px wide viewport (WCAG 1.4.10
//   Reflow), first with the default text size, then with the browser's own text-size setting
//   doubled (WCAG 1.4.4 Resize text). The text-size setting is Chromium's font-size preference
//   (CDP Page.setFontSizes, what "Settings > Appearance > Font size" and a phone's text scaling
//   change): it scales text set in rem/em/% and leaves the layout viewport alone, unlike page
//   zoom, which a 320 px layout would hide. `textScale` reports how much body text actually
//   grew, so a theme that pins text in px (and ignores the reader's setting) shows up as < 2.
// - fonts: computed font-size and line-height of <body> (>= 16 px, >= 1.5 x font-size), and
//   the smallest font-size of any visible text, for the report.
// - tap targets: every visible a[href], button, input, select, textarea, summary and
//   [role=button] must be >= 44 x 44 CSS px (WCAG 2.5.5). Exempt, as WCAG 2.5.8's "Inline"
//   exception allows: a target with `display: inline` whose nearest block container also
//   holds words outside any link or button (punctuation and spaces do not count), i.e. a link
//   inside a sentence or a "Label: value" line, whose height is set by the line-height of the
//   text around it. A link alone in its paragraph, or links separated only by commas, must be
//   44 px. A target that is off screen until focused (the skip link) is measured while
//   focused.
// - h1: the number of <h1> elements.
// - banner: the urgent-notice banner (aside.alerts) as first seen, at the top of the page:
//   its box and the site header's, and for each alert the text of its label, link and time
//   (as written and as shown), with their colours and the background behind them, for the
//   Python tests to work out contrast without relying on axe alone.
// - network: console errors and warnings, uncaught page errors, failed requests, responses
//   >= 400, and every request to a host other than 127.0.0.1.
// - axe: axe-core's default rule set (WCAG 2 A/AA and best practices): violations and
//   checks it could not decide ("incomplete"), with their elements; the ids of rules passed.
// - pictures: every URL requested, each <img>'s chosen source (currentSrc) and box, and the
//   cumulative layout shift while the page loaded (JavaScript on: a PerformanceObserver).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];
const PHONE = { width: 360, height: 640 };
const NARROW = 320;
const DEFAULT_FONT_PX = 16;

function readInput() {
  const text = process.argv[2] ?? readFileSync(0, 'utf-8');
  const input = JSON.parse(text);
  return Array.isArray(input) ? { pages: input } : input;
}

// Runs in the page: everything measured from the DOM at the current viewport.
function measureLayout() {
  const root = document.documentElement;
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > root.clientWidth + 0.5) {
      // Only the outermost culprit: a child of an overflowing box is no news.
      if (!offenders.some((o) => o.el.contains(el))) offenders.push({ el, right: r.right });
    }
  }
  const describe = (el) =>
    el.tagName.toLowerCase() +
    (el.id ? `#${el.id}` : '') +
    (el.classList.length ? `.${[...el.classList].join('.')}` : '');
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    offenders: offenders.slice(0, 10).map((o) => ({
      element: describe(o.el),
      right: Math.round(o.right),
      text: (o.el.textContent || '').trim().slice(0, 60),
    })),
  };
}

function measurePage() {
  const px = (v) => parseFloat(v);
  const body = getComputedStyle(document.body);
  const bodyFont = px(body.fontSize);
  // "normal" has no px value; Chromium's normal is about 1.2, which fails the rule anyway.
  const bodyLine = body.lineHeight === 'normal' ? bodyFont * 1.2 : px(body.lineHeight);

  const visible = (el) => {
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  // The colour behind an element: its own background, else the nearest ancestor's.
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
  };
  const part = (el) => el && {
    text: el.textContent.trim().replace(/\s+/g, ' '),
    shown: el.innerText.trim().replace(/\s+/g, ' '),
    visible: visible(el),
    color: getComputedStyle(el).color,
    background: background(el),
    fontSize: px(getComputedStyle(el).fontSize),
    fontWeight: getComputedStyle(el).fontWeight,
  };
  // Measured first: focusing the skip link below may scroll the page.
  const aside = document.querySelector('aside.alerts');
  const header = document.querySelector('header.site');
  const banner = aside && {
    label: aside.getAttribute('aria-label'),
    visible: visible(aside),
    box: box(aside),
    header: header && box(header),
    alerts: [...aside.querySelectorAll('.alert')].map((p) => ({
      box: box(p),
      flag: part(p.querySelector('.flag')),
      link: part(p.querySelector('a')),
      when: part(p.querySelector('.when')),
    })),
  };

  let smallest = null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !visible(el)) continue;
    const size = px(getComputedStyle(el).fontSize);
    if (smallest === null || size < smallest.fontSize) {
      const cls = el.getAttribute('class');
      smallest = { fontSize: size, element: el.tagName.toLowerCase() + (cls ? `.${cls}` : ''), text: n.textContent.trim().slice(0, 60) };
    }
  }

  const BLOCKISH = /^(block|flex|grid|list-item|table|table-cell|table-caption|flow-root)/;
  const blockContainer = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (BLOCKISH.test(getComputedStyle(p).display)) return p;
    }
    return document.body;
  };
  const textOutsideLinks = (container) => {
    let text = '';
    const w = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (!n.parentElement.closest('a, button')) text += n.textContent;
    }
    return text.replace(/[\s·|,;:.\-–—]+/g, '');
  };
  const selector = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) { parts.unshift(`${part}#${e.id}`); break; }
      if (e.classList.length) part += `.${[...e.classList].join('.')}`;
      parts.unshift(part);
    }
    return parts.join(' > ');
  };

  const targets = [];
  const TARGETS = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  for (const el of document.querySelectorAll(TARGETS)) {
    if (!visible(el)) continue;
    let r = el.getBoundingClientRect();
    let focused = false;
    if (r.right <= 0 || r.bottom <= 0) {
      // Off screen until focused, like a skip link: measure it as a keyboard user sees it.
      el.focus();
      r = el.getBoundingClientRect();
      el.blur();
      focused = true;
    }
    const display = getComputedStyle(el).display;
    const inline = display === 'inline' && textOutsideLinks(blockContainer(el)).length > 0;
    targets.push({
      selector: selector(el),
      text: (el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 60),
      width: Math.round(r.width * 10) / 10,
      height: Math.round(r.height * 10) / 10,
      display,
      exempt: inline ? 'inline in text' : null,
      measuredFocused: focused,
    });
  }

  return {
    title: document.title,
    lang: document.documentElement.lang,
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
    fonts: { bodyFontSize: bodyFont, bodyLineHeight: bodyLine, smallest },
    tapTargets: targets,
    banner,
  };
}

async function checkPage(browser, spec, options) {
  const result = {
    url: spec.url,
    javaScriptEnabled: options.javaScriptEnabled,
    status: null,
    consoleMessages: [],
    pageErrors: [],
    failedRequests: [],
    badResponses: [],
    externalRequests: [],
    requests: [],
  };
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    javaScriptEnabled: options.javaScriptEnabled,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  try {
    context.on('request', (req) => {
      result.requests.push(req.url());
      const url = new URL(req.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '127.0.0.1') {
        result.externalRequests.push(req.url());
      } else if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'data:') {
        result.externalRequests.push(req.url());
      }
    });
    context.on('requestfailed', (req) =>
      result.failedRequests.push({ url: req.url(), failure: req.failure()?.errorText ?? '' }));
    context.on('response', (res) => {
      if (res.status() >= 400) result.badResponses.push({ url: res.url(), status: res.status() });
    });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        result.consoleMessages.push({ type: msg.type(), text: msg.text(), location: msg.location().url });
      }
    });
    page.on('pageerror', (err) => result.pageErrors.push(String(err)));

    const response = await page.goto(spec.url, { waitUntil: 'load', timeout: 30000 });
    result.status = response ? response.status() : null;
    if (spec.screenshot) {
      await page.screenshot({ path: spec.screenshot, fullPage: Boolean(spec.fullPage) });
      result.screenshot = spec.screenshot;
    }

    Object.assign(result, await page.evaluate(measurePage));
    result.images = await page.evaluate(() => [...document.images].map((img) => {
      const r = img.getBoundingClientRect();
      return { src: img.currentSrc, width: r.width, height: r.height, complete: img.complete };
    }));
    if (options.javaScriptEnabled) {
      result.layoutShift = await page.evaluate(() => new Promise((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), 300);
      }));
    }
    result.overflow = { width360: await page.evaluate(measureLayout) };

    if (options.axe && options.javaScriptEnabled) {
      await page.addScriptTag({ path: AXE });
      const axe = await page.evaluate(async () => {
        // Every node of violations and of checks axe could not decide; of passes, which
        // rules passed (one node each, as resultTypes leaves them).
        const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
        const found = (v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' ')),
        });
        return {
          version: r.testEngine.version,
          violations: r.violations.map(found),
          incomplete: r.incomplete.map(found),
          passes: r.passes.map((v) => v.id),
        };
      });
      result.axe = axe;
    }

    await page.setViewportSize({ width: NARROW, height: PHONE.height });
    result.overflow.width320 = await page.evaluate(measureLayout);

    const cdp = await context.newCDPSession(page);
    const before = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    await cdp.send('Page.setFontSizes', {
      fontSizes: { standard: DEFAULT_FONT_PX * 2, fixed: 13 * 2 },
    });
    // Chromium applies the preference in the renderer before answering, and reading computed
    // style forces a fresh style and layout: no frame to wait for (none comes with JS off).
    const after = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    result.overflow.width320text200 = { ...(await page.evaluate(measureLayout)), textScale: after / before };
    await cdp.detach();
  } catch (err) {
    result.error = String(err && err.stack ? err.stack : err);
  } finally {
    await context.close();
  }
  return result;
}

const input = readInput();
const options = {
  javaScriptEnabled: input.javaScriptEnabled !== false,
  axe: input.axe !== false,
};
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
try {
  for (const spec of input.pages) {
    const one = typeof spec === 'string' ? { url: spec } : spec;
    process.stdout.write(`${JSON.stringify(await checkPage(browser, one, options))}\n`);
  }
} finally {
  await browser.close();
}
