// The weekly review in headless Chromium against the shared end-to-end fixture (a real Vigil on the
// small simulated organisation synced through the real collectors; tests/review/e2e-world.ts): a
// reviewer labels rules with the keyboard alone (giving a name once), reloads and finds them; a
// full resync from nothing keeps them; the week's CSV holds them; a second reviewer in another
// browser context changes a rule first and the first reviewer sees the conflict instead of
// overwriting it; meeting mode, follow-ups and the hand-off note by keyboard. Screenshots go to
// tests/artifacts/review-*.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullResync, type ReviewWorld, startReviewWorld } from '../review/e2e-world.ts';
import { ARTIFACTS, launchBrowser, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('vigil-review-e2e-');
let w: ReviewWorld;
let browser: Browser;
let context: BrowserContext;
let a: WatchedPage;

/** A browser context of a reviewer who gave their name before (or not, with null). */
async function reviewerContext(name: string | null): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  if (name) await ctx.addInitScript((n) => window.localStorage.setItem('vigil.reviewerName', n), name);
  return ctx;
}

async function openReview(page: Page, query = `team=${w.team}`): Promise<void> {
  await page.goto(`${w.url}/review?${query}`);
  await page.waitForSelector('.rv-rule');
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);
}

/** data-state of each rule row, in order. */
const states = (page: Page) => page.$$eval('.rv-rule', (els) => els.map((e) => e.getAttribute('data-state')));
const titles = (page: Page) => page.$$eval('.rv-rule .rv-title', (els) => els.map((e) => e.textContent ?? ''));

const stateOf = (page: Page, rule: string) => page.locator(`.rv-rule[data-rule="${rule}"]`).getAttribute('data-state');

/** Wait until the field named `name` has the focus (forms focus their first field as they open). */
async function focused(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => document.activeElement?.getAttribute('name') === n, name);
}

/** Wait until no label is waiting for the server. */
async function saved(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('.rv-pending').length === 0);
}

beforeAll(async () => {
  // The browser first: without Chromium the suite stops here with the words to fix it.
  browser = await launchBrowser();
  w = await startReviewWorld(dir);
  context = await reviewerContext(null);
  // A 409 is the answer the conflict test expects; every other failed request is a defect.
  a = await openPage(context, { ignore: (p) => p.startsWith('HTTP 409') || p.includes('status of 409') });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await w?.close();
});

describe('the weekly review in the browser', () => {
  let labelled: string[];

  it('labels rules with the keyboard alone, asking the name once; a reload shows them', async () => {
    const { page } = a;
    await openReview(page);
    expect(await states(page)).toEqual((await states(page)).map(() => 'unlabelled'));
    // a: the first rule is actionable. The name is asked first, then the command carries on.
    await page.keyboard.press('a');
    await focused(page, 'reviewer');
    await page.keyboard.type('Rita Reviewer');
    await page.keyboard.press('Enter');
    await saved(page);
    // 1: the second rule is non-actionable, threshold needs tuning; s: the third takes its suggestion.
    await page.keyboard.press('1');
    await page.keyboard.press('s');
    await saved(page);
    const after = await states(page);
    expect(after.slice(0, 2)).toEqual(['actionable', 'non_actionable']);
    expect(after[2]).not.toBe('unlabelled');
    labelled = after.slice(0, 3) as string[];
    await screenshot(page, 'review-labelled');
    await page.reload();
    await page.waitForSelector('.rv-rule');
    expect((await states(page)).slice(0, 3)).toEqual(labelled);
    expect(await page.locator('.rv-rule').nth(1).locator('[data-label="non_actionable"]').first().textContent()).toContain(
      'Threshold needs tuning',
    );
    expect(a.problems).toEqual([]);
  });

  it('keeps the labels through a full resync from nothing', async () => {
    const { page } = a;
    const before = await titles(page);
    await fullResync(w);
    await openReview(page);
    expect(await titles(page)).toEqual(before);
    expect((await states(page)).slice(0, 3)).toEqual(labelled);
  });

  it("exports the week's CSV with the labels and who gave them", async () => {
    const { page } = a;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="review-csv"]')]);
    const rows = parse(readFileSync((await download.path()) as string, 'utf8').replace(/^\uFEFF/, ''), {
      columns: true,
    }) as Record<string, string>[];
    const firstRule = (await page.$eval('.rv-rule', (e) => e.getAttribute('data-rule'))) as string;
    const ofFirst = rows.filter((r) => r.rule_signature === firstRule);
    expect(ofFirst.length).toBeGreaterThan(0);
    for (const r of ofFirst)
      expect(r).toMatchObject({ label: 'actionable', label_source: 'reviewer', labelled_by: 'Rita Reviewer' });
    expect(rows.some((r) => r.reason === 'threshold_needs_tuning')).toBe(true);
  });

  it('shows the conflict when another reviewer changed the same rule first', async () => {
    const { page } = a;
    await openReview(page);
    const rule = (await page.locator('.rv-rule').nth(3).getAttribute('data-rule')) as string;
    // Sam, in another browser, labels the fourth rule while Rita still has the old page open.
    const other = await reviewerContext('Sam Second');
    const sam = await openPage(other);
    await openReview(sam.page);
    await sam.page.keyboard.press('G');
    await sam.page.locator(`.rv-rule[data-rule="${rule}"] .rv-row`).click();
    await sam.page.keyboard.press('a');
    await saved(sam.page);
    // Rita labels it too, from her stale page.
    await page.locator(`.rv-rule[data-rule="${rule}"] .rv-row`).click();
    await page.keyboard.press('4');
    const banner = page.locator('[data-conflict="labels"]');
    await banner.waitFor();
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain('Sam Second labelled it actionable');
    await expect.poll(() => stateOf(page, rule), { timeout: 10_000 }).toBe('actionable');
    await screenshot(page, 'review-conflict');
    // She applies hers knowingly: now it is hers.
    await banner.getByRole('button', { name: 'Apply mine over theirs' }).click();
    await saved(page);
    await expect.poll(() => stateOf(page, rule), { timeout: 10_000 }).toBe('non_actionable');
    expect(sam.problems).toEqual([]);
    await other.close();
  });

  it('runs the meeting one rule at a time, adds a follow-up and the hand-off note by keyboard', async () => {
    const { page } = a;
    await openReview(page);
    await page.keyboard.press('m');
    const stage = page.locator('[data-meeting="on"]');
    await stage.waitFor();
    const first = await stage.locator('h2').textContent();
    await page.keyboard.press('j');
    // On a loaded machine the stage can show before its keys are bound: press again until it moves.
    await expect
      .poll(
        async () => {
          const now = await stage.locator('h2').textContent();
          if (now === first) await page.keyboard.press('j');
          return now;
        },
        { timeout: 20_000, interval: 500 },
      )
      .not.toBe(first);
    await page.keyboard.press('f');
    await focused(page, 'title');
    await page.keyboard.type('Raise the threshold after the capacity work');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-meeting="on"] [data-followup]');
    expect(await stage.locator('[data-followup]').first().textContent()).toContain('Raise the threshold');
    // The stage covers the screen (not the page below it): a viewport shot.
    await page.screenshot({ path: join(ARTIFACTS, 'review-meeting.png') });
    await page.keyboard.press('Escape');
    await stage.waitFor({ state: 'detached' });
    await page.keyboard.press('w');
    await focused(page, 'hand-off');
    await page.keyboard.type('Noisy week: the threshold follow-up should cut a third of the pages.');
    await page.keyboard.press('Control+Enter');
    await expect
      .poll(() => page.locator('[data-card="hand-off"]').textContent(), { timeout: 20_000 })
      .toContain('Last saved by Rita Reviewer');
    // Esc leaves the note's field; then the keys are commands again.
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard' }).waitFor();
    await page.keyboard.press('Escape');
    await page.reload();
    await page.waitForSelector('.rv-rule');
    expect(await page.locator('textarea[name="hand-off"]').inputValue()).toMatch(/Noisy week/);
    expect(await page.locator('[data-followup]').first().textContent()).toContain('Raise the threshold');
    await screenshot(page, 'review-page');
    expect(a.problems).toEqual([]);
  });
});
