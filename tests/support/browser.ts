// Headless Chromium for the end-to-end tests: Debian's `chromium` driven by playwright-core (its
// own browser download cannot work here). A page opened through openPage() records every console
// error, uncaught exception and failed or 4xx/5xx request, so a test can assert there were none.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'The end-to-end tests need Chromium and none was found (looked for /usr/bin/chromium). ' +
        'Install it with `apt-get install -y chromium` (.ci/run does), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  problems: string[];
}

/** A page that records every console error, uncaught exception and failed request. */
export async function openPage(
  context: BrowserContext,
  options: { ignore?: (problem: string) => boolean } = {},
): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const note = (text: string) => {
    if (!options.ignore?.(text)) problems.push(text);
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') note(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => note(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'failed';
    // Navigations away abort pending fetches; that is not a failure of the app.
    if (reason.includes('ERR_ABORTED')) return;
    note(`request failed: ${request.method()} ${request.url()} (${reason})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) note(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Wait until no card is loading and every chart drawn so far has rendered. */
export async function settle(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[aria-busy="true"]').length === 0 &&
      [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-chart-ready') === 'true'),
    undefined,
    { timeout, polling: 100 },
  );
  // Let ECharts finish its (short) entry animation before a screenshot.
  await page.waitForTimeout(400);
}
