// The dashboard end to end in headless Chromium, on a real Vigil serving the small simulated
// organisation synced through the real collectors: every page loads with real numbers and no
// console error or failed request; filters live in the URL and change the data; back and forward
// work; a chart's CSV holds exactly its numbers; a click on a bar reaches the records behind it;
// a reviewer's manual link and unlink persist after a reload, and a stale one is refused.
// Screenshots of every page go to tests/artifacts/ (not in git).
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, settle, type WatchedPage } from '../support/browser.ts';
import { type SimulatedVigil, startSimulatedVigil } from '../support/simulated-vigil.ts';
import { tempDir } from '../support/tmp.ts';

interface Row {
  bucket: string | null;
  group: string | null;
  [k: string]: unknown;
}
interface MetricBody {
  params: { from: string; to: string };
  rows: Row[];
  summary: Row[];
}
interface Deployment {
  id: string;
  team: string;
  deployedAt: string;
  incidents: { id: string; method: string }[];
}

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

let browser: Browser;
let vigil: SimulatedVigil;
let context: BrowserContext;
const dir = tempDir('vigil-e2e-');

beforeAll(async () => {
  // The browser first: without Chromium the suite stops here with the words to fix it.
  browser = await launchBrowser();
  vigil = await startSimulatedVigil({ dir });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await vigil?.stop();
});

async function visit(path: string, ctx: BrowserContext = context): Promise<WatchedPage> {
  const watched = await openPage(ctx);
  await watched.page.goto(`${vigil.url}${path}`);
  await settle(watched.page);
  return watched;
}

/** The figure's value text, by its label. */
const figure = (page: Page, label: string) => page.locator('.figure', { hasText: label }).locator('.figure-value');

describe('every page', () => {
  it('loads with real numbers, no console error and no failed request', async () => {
    const deployments = await vigil.json<{ items: Deployment[] }>('/api/deployments?changeFailed=true&limit=100');
    const deployment = deployments.items.find((d) => d.incidents.length > 0);
    expect(deployment, 'the simulated organisation has a failed deployment with an incident').toBeDefined();
    const incident = deployment?.incidents[0]?.id as string;
    const pages: [string, string, { charts: boolean }][] = [
      ['overview', '/', { charts: true }],
      ['deployments', '/deployments', { charts: true }],
      ['incidents', '/incidents', { charts: true }],
      ['on-call', '/on-call', { charts: true }],
      ['sync', '/sync', { charts: false }],
      ['definitions', '/definitions', { charts: false }],
      ['deployment', `/deployments/${deployment?.id}`, { charts: false }],
      ['incident', `/incidents/${incident}`, { charts: false }],
      ['records', '/records/incidents?range=30d&severity=SEV2&title=SEV2%20incidents', { charts: false }],
    ];
    for (const [name, path, expectation] of pages) {
      const { page, problems } = await visit(path);
      expect(problems, `${path}: ${problems.join('\n')}`).toEqual([]);
      expect(await page.locator('.state-error').count(), `${path} shows an error`).toBe(0);
      expect(await page.locator('h1').first().textContent()).toBeTruthy();
      if (expectation.charts) {
        expect(await page.locator('.chart[data-chart-ready="true"]').count(), `${path} draws charts`).toBeGreaterThan(2);
        expect(await page.locator('.chart-body[data-empty="true"]').count(), `${path} has an empty chart`).toBe(0);
      }
      await screenshot(page, `e2e-${name}`);
      await page.close();
    }
    // The same in large type and on a narrow screen, for the meeting room and a laptop.
    const large = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await large.addInitScript(() => localStorage.setItem('vigil.largeType', '1'));
    const big = await visit('/', large);
    expect(big.problems).toEqual([]);
    expect(await big.page.evaluate(() => document.documentElement.classList.contains('large-type'))).toBe(true);
    await screenshot(big.page, 'e2e-overview-large-type');
    await large.close();
    const narrow = await browser.newContext({ viewport: { width: 820, height: 1000 } });
    const small = await visit('/on-call', narrow);
    expect(small.problems).toEqual([]);
    await screenshot(small.page, 'e2e-on-call-narrow');
    await narrow.close();
  });
});

describe('filters', () => {
  it('live in the URL, change the data, and back and forward restore them', async () => {
    const { page, problems } = await visit('/deployments');
    const before = (await figure(page, 'Production deployments').textContent())?.trim();
    const teams = await vigil.json<{ items: { id: string; name: string; counts: { deployments: number } }[] }>('/api/teams');
    const team = teams.items.find((t) => t.counts.deployments > 0 && t.id !== 'unassigned');
    expect(team).toBeDefined();
    const answer = page.waitForResponse(
      (r) => r.url().includes('/api/metrics/deployment-frequency') && r.url().includes(`team=${team?.id}`),
    );
    await page.locator('details[data-filter="team"] summary').click();
    await page.locator(`details[data-filter="team"] input[value="${team?.id}"]`).check();
    const response = await answer;
    expect(new URL(page.url()).searchParams.getAll('team')).toEqual([team?.id]);
    const body = (await response.json()) as MetricBody;
    await settle(page);
    const after = (await figure(page, 'Production deployments').textContent())?.trim();
    expect(after).toBe(new Intl.NumberFormat('en-GB').format(body.summary[0]?.n as number));
    expect(after).not.toBe(before);

    await page.locator('[data-grain="month"]').click();
    await page.waitForURL(/grain=month/);
    expect(await page.locator('[data-grain="month"]').getAttribute('aria-pressed')).toBe('true');

    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('grain'));
    expect(new URL(page.url()).searchParams.getAll('team')).toEqual([team?.id]);
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('team'));
    await settle(page);
    expect((await figure(page, 'Production deployments').textContent())?.trim()).toBe(before);
    await page.goForward();
    await page.waitForURL((u) => u.searchParams.has('team'));
    await settle(page);
    expect((await figure(page, 'Production deployments').textContent())?.trim()).toBe(after);

    // A copied link reproduces the view.
    const link = page.url();
    const again = await visit(new URL(link).pathname + new URL(link).search);
    expect((await figure(again.page, 'Production deployments').textContent())?.trim()).toBe(after);
    expect(problems.concat(again.problems)).toEqual([]);
    await page.close();
    await again.page.close();
  });
});

describe('charts', () => {
  it('download as CSV exactly the numbers they draw', async () => {
    const watched = await openPage(context);
    const { page } = watched;
    const answer = page.waitForResponse((r) => /\/api\/metrics\/deployment-frequency\?/.test(r.url()));
    await page.goto(`${vigil.url}/deployments`);
    const body = (await (await answer).json()) as MetricBody;
    await settle(page);
    const card = page.locator('[data-card="deployment-frequency"]');
    const [download] = await Promise.all([page.waitForEvent('download'), card.locator('button[data-action="csv"]').click()]);
    expect(download.suggestedFilename()).toMatch(/^vigil-deployment-frequency-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = parse(readFileSync((await download.path()) as string, 'utf8'), { columns: true, bom: true }) as Record<
      string,
      string
    >[];
    const rows = body.rows.filter((r) => r.group === null).sort((a, b) => String(a.bucket).localeCompare(String(b.bucket)));
    expect(csv.map((r) => r['Bucket start'])).toEqual(rows.map((r) => r.bucket));
    expect(csv.map((r) => Number(r['Deployments (deployments)']))).toEqual(rows.map((r) => r.n));
    expect(csv.map((r) => Number(r['Deploy days (days)']))).toEqual(rows.map((r) => r.deployDays));
    // The table view shows the same numbers again.
    await card.locator('button', { hasText: 'Table' }).click();
    const cells = await card
      .locator('tbody tr td:nth-child(2)')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(cells.map(Number)).toEqual(rows.map((r) => r.n));
    expect(watched.problems).toEqual([]);
    await page.close();
  });

  it('lead from a clicked bar to the records behind it', async () => {
    const watched = await openPage(context);
    const { page } = watched;
    const answer = page.waitForResponse((r) => /\/api\/metrics\/deployment-frequency\?/.test(r.url()));
    await page.goto(`${vigil.url}/deployments`);
    const body = (await (await answer).json()) as MetricBody;
    await settle(page);
    const rows = body.rows.filter((r) => r.group === null).sort((a, b) => String(a.bucket).localeCompare(String(b.bucket)));
    const index = rows.findIndex((r) => (r.n as number) > 0 && (r.n as number) <= 100);
    const bucket = rows[index] as Row;
    const chart = page.locator('[data-card="deployment-frequency"] .chart');
    const point = await chart.evaluate(
      (el, [i, v]) => {
        const c = (el as HTMLElement & { vigilChart: { convertToPixel(f: object, p: number[]): number[] } }).vigilChart;
        return c.convertToPixel({ seriesIndex: 0 }, [i as number, (v as number) / 2]);
      },
      [index, bucket.n as number],
    );
    const box = await chart.boundingBox();
    await page.mouse.click((box?.x ?? 0) + (point[0] as number), (box?.y ?? 0) + (point[1] as number));
    await page.waitForURL(/\/records\/deployments\?/);
    await settle(page);
    const url = new URL(page.url());
    // The bucket's days, clipped to the range the chart covers.
    expect(url.searchParams.get('from')).toBe([bucket.bucket as string, body.params.from].sort()[1]);
    expect(url.searchParams.get('outcome')).toBe('success');
    const shown = await page.locator('[data-testid="records"] tbody tr').count();
    expect(shown).toBe(bucket.n);
    expect(await page.locator('h1').textContent()).toBe('Successful production deployments');
    expect(watched.problems).toEqual([]);
    await page.close();
  });
});

describe('manual incident links', () => {
  it('unlink, undo and link persist after a reload, and a stale change is refused', async () => {
    // A failed deployment with an automatically attributed incident, and another incident of its
    // team in the three days after it (what the page offers to link).
    const deployments = await vigil.json<{ items: Deployment[] }>('/api/deployments?changeFailed=true&limit=100');
    let deployment: Deployment | undefined;
    for (const d of deployments.items.filter((x) => x.incidents.some((i) => !i.method.startsWith('manual')))) {
      const day = d.deployedAt.slice(0, 10);
      const near = await vigil.json<{ items: { id: string; createdAt: string }[] }>(
        `/api/incidents?team=${d.team}&from=${day}&to=${addDays(day, 3)}&limit=50`,
      );
      if (near.items.some((i) => i.createdAt >= d.deployedAt && !d.incidents.some((x) => x.id === i.id))) {
        deployment = d;
        break;
      }
    }
    if (!deployment) throw new Error('The simulated organisation has no failed deployment followed by another incident');
    const incident = deployment.incidents.find((i) => !i.method.startsWith('manual'))?.id as string;
    const { page, problems } = await visit(`/deployments/${deployment.id}`);
    await page.locator('input[name="reviewer"]').fill('Rita Reviewer');
    await page.locator('form.reviewer button[type="submit"]').click();
    const linked = (id: string) => page.locator(`[data-testid="incident-links"] li[data-incident="${id}"]`);
    await expect.poll(() => linked(incident).count()).toBe(1);

    await linked(incident).locator('button[data-action="unlink"]').click();
    await page.locator('.callout[role="status"]').waitFor();
    await page.reload();
    await settle(page);
    expect(await linked(incident).count()).toBe(0);
    expect(await page.locator(`[data-link="${incident}"]`).textContent()).toContain('Unlinked incident');
    expect(await page.locator(`[data-link="${incident}"]`).textContent()).toContain('Rita Reviewer');
    const links = await vigil.json<{ items: { action: string; createdBy: string }[] }>(
      `/api/incident-links?deployment=${deployment.id}`,
    );
    expect(links.items).toMatchObject([{ action: 'unlink', createdBy: 'Rita Reviewer' }]);

    await page.locator(`[data-link="${incident}"] button[data-action="undo"]`).click();
    await page.locator('.callout[role="status"]').waitFor();
    await page.reload();
    await settle(page);
    expect(await linked(incident).count()).toBe(1);
    expect(await page.locator(`[data-link="${incident}"]`).count()).toBe(0);

    // Link another incident of the team from the days after the deployment.
    const select = page.locator('select[name="incident"]');
    const candidate = await select.locator('option').nth(1).getAttribute('value');
    expect(candidate, 'an incident of the team follows the deployment').toBeTruthy();
    await select.selectOption(candidate as string);
    await page.locator('input[name="note"]').fill('Same flag as the first one');
    await page.locator('button[data-action="link"]').click();
    await page.locator('.callout[role="status"]').waitFor();
    await page.reload();
    await settle(page);
    expect(await linked(candidate as string).textContent()).toContain('Linked by a reviewer');
    const after = await vigil.json<{ attribution: { method: string; deploymentId: string } }>(`/api/incidents/${candidate}`);
    expect(after.attribution).toMatchObject({ method: 'manual_link', deploymentId: deployment.id });

    // A second reviewer who loaded the page before the first one removed the link is refused.
    const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await other.addInitScript(() => localStorage.setItem('vigil.reviewerName', 'Sam Second'));
    const second = await visit(`/deployments/${deployment.id}`, other);
    await page.locator(`[data-link="${candidate}"] button[data-action="undo"]`).click();
    await page.locator('.callout[role="status"]').waitFor();
    await second.page
      .locator(`[data-testid="incident-links"] li[data-incident="${candidate}"] button[data-action="unlink"]`)
      .click();
    const refusal = second.page.locator('.callout[role="alert"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/removed this link since you loaded it/);
    // The refusal is the 409 the page expected; anything else is a problem.
    expect(second.problems.filter((p) => !p.includes('409'))).toEqual([]);
    expect(problems).toEqual([]);
    await other.close();
    await page.close();
  });
});
