// Web figures: the built JavaScript's gzip size (what index.html loads up front, and what the
// overview fetches before its first chart), and in headless Chromium the time from navigation to
// the first chart drawn and to all charts drawn (every `.chart` has data-chart-ready="true", no
// card is aria-busy, and it stays so for a second). Visiting the pages also records every API
// request they make: the endpoint list the latency phase measures.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_WEB_ROOT } from '../../server/runtime.ts';
import { launchBrowser } from '../support/browser.ts';
import { round1 } from './http.ts';

export interface BundleFigures {
  /**
   * Scripts index.html loads (module entry and its modulepreloads), gzip bytes. The entry then
   * requests the first page's chunks and, on pages with charts, ECharts at once (web/src/main.tsx):
   * toFirstChartGzip counts those too.
   */
  initialGzip: number;
  /** Every JS file of the build, gzip bytes. */
  totalGzip: number;
  largestChunk: { file: string; gzip: number };
  /**
   * JS requested before the overview's first chart (measured in the browser), as gzip bytes; the
   * server sends the build's brotli copies, ~15% smaller (ECharts: 167 KB br, 199 KB gzip).
   */
  toFirstChartGzip: number | null;
}

const gz = (file: string) => gzipSync(readFileSync(file)).length;

export function bundleFigures(webRoot = DEFAULT_WEB_ROOT): BundleFigures {
  const index = readFileSync(join(webRoot, 'index.html'), 'utf8');
  const refs = [
    ...index.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
    ...index.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
  ].map((m) => m[1] as string);
  const initialGzip = [...new Set(refs)].reduce((sum, ref) => sum + gz(join(webRoot, ref.replace(/^\//, ''))), 0);
  const assets = join(webRoot, 'assets');
  let totalGzip = 0;
  let largestChunk = { file: '', gzip: 0 };
  for (const name of readdirSync(assets).filter((f) => f.endsWith('.js'))) {
    const size = gz(join(assets, name));
    totalGzip += size;
    if (size > largestChunk.gzip) largestChunk = { file: name, gzip: size };
  }
  return { initialGzip, totalGzip, largestChunk, toFirstChartGzip: null };
}

export function webBuilt(webRoot = DEFAULT_WEB_ROOT): boolean {
  return existsSync(join(webRoot, 'index.html'));
}

// Runs in the page before any of its scripts: notes when the first chart is drawn and when every
// chart is drawn with nothing loading (reset whenever that stops being true).
const WATCH = `
  window.__bench = { first: null, all: null };
  const check = () => {
    const charts = document.querySelectorAll('.chart');
    let ready = 0;
    for (const c of charts) if (c.getAttribute('data-chart-ready') === 'true') ready++;
    const now = performance.now();
    if (ready > 0 && window.__bench.first === null) window.__bench.first = now;
    const busy = document.querySelectorAll('[aria-busy="true"]').length;
    if (charts.length > 0 && ready === charts.length && busy === 0) { if (window.__bench.all === null) window.__bench.all = now; }
    else window.__bench.all = null;
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-chart-ready', 'aria-busy', 'class'] });
`;

export interface PageTiming {
  path: string;
  firstChartMs: number | null;
  allChartsMs: number | null;
  apiRequests: number;
  errors: string[];
}

export interface Browsing {
  browser: Browser;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browsing> {
  const browser = await launchBrowser();
  return { browser, close: () => browser.close() };
}

async function settleTimes(page: Page, timeoutMs: number): Promise<{ first: number | null; all: number | null }> {
  const deadline = Date.now() + timeoutMs;
  let stableSince: number | null = null;
  let last: number | null = null;
  for (;;) {
    const state = await page.evaluate(
      () => (window as unknown as { __bench: { first: number | null; all: number | null } }).__bench,
    );
    if (state.all !== null && state.all === last) {
      stableSince ??= Date.now();
      if (Date.now() - stableSince >= 1_000) return state;
    } else stableSince = null;
    last = state.all;
    if (Date.now() > deadline) return { first: state.first, all: null };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Open `path` in a fresh browser context (nothing cached in the browser) and time its charts.
 * `apiUrls` collects the API paths the page requested.
 */
export async function timePage(
  browsing: Browsing,
  baseUrl: string,
  path: string,
  apiUrls: Set<string>,
  options: { timeoutMs?: number; jsBytes?: { before: number | null } } = {},
): Promise<PageTiming> {
  const context = await browsing.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  let apiRequests = 0;
  let jsBytes = 0;
  let firstChartSeen = false;
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.status() >= 400 && !url.pathname.startsWith('/api/')) errors.push(`HTTP ${response.status()} ${url.pathname}`);
    if (url.pathname.startsWith('/api/')) {
      apiRequests++;
      apiUrls.add(`${url.pathname}${url.search}`);
      if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${url.pathname}${url.search}`);
    }
    // Counted from the built files, gzipped as a server would send them.
    if (url.pathname.endsWith('.js') && !firstChartSeen) {
      const file = join(DEFAULT_WEB_ROOT, url.pathname.replace(/^\//, ''));
      if (existsSync(file)) jsBytes += gz(file);
    }
  });
  await page.addInitScript(WATCH);
  await page.goto(`${baseUrl}${path}`, { waitUntil: 'commit' });
  // A function, not a string: the app's Content-Security-Policy forbids eval.
  await page
    .waitForFunction(() => (window as unknown as { __bench?: { first: number | null } }).__bench?.first != null, undefined, {
      timeout: options.timeoutMs ?? 60_000,
      polling: 50,
    })
    .then(() => {
      firstChartSeen = true;
    })
    .catch(() => {});
  if (options.jsBytes) options.jsBytes.before = firstChartSeen ? jsBytes : null;
  const times = await settleTimes(page, options.timeoutMs ?? 60_000);
  await context.close();
  return {
    path,
    firstChartMs: times.first === null ? null : round1(times.first),
    allChartsMs: times.all === null ? null : round1(times.all),
    apiRequests,
    errors,
  };
}
