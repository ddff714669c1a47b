// The review page's pure parts without a browser: the keyboard table (every documented key gives
// a command, typing in a field is never a command), the label plan (which writes a command sends
// and what the page shows before the answer, matching the server's merge), and the trend charts
// built from a trends answer.
import { describe, expect, it } from 'vitest';
import { normalTheme } from '../../web/src/charts/theme.ts';
import { isTypingTarget, keyCommand, keyHelp } from '../../web/src/pages/review/keys.ts';
import { planWrites, preview, type Target } from '../../web/src/pages/review/label-plan.ts';
import { falsePositiveTrend, labelMixTrend, ruleTrend } from '../../web/src/pages/review/trend-charts.ts';
import type { ReviewTrends } from '../../web/src/pages/review/types.ts';

describe('keys', () => {
  it('gives a command for every key the help documents', () => {
    const named: Record<string, string> = {
      '↓': 'ArrowDown',
      '↑': 'ArrowUp',
      '→': 'ArrowRight',
      '←': 'ArrowLeft',
      Esc: 'Escape',
    };
    for (const entry of keyHelp) {
      for (const key of entry.keys) {
        if (key === '…' || key === 'Shift' || key === 'j/k') continue;
        expect(keyCommand({ key: named[key] ?? key }), `${key}: ${entry.does}`).not.toBeNull();
      }
    }
  });

  it('maps labels, reasons in METRICS.md order, selection and moves', () => {
    expect(keyCommand({ key: 'a' })).toEqual({ kind: 'label', label: 'actionable' });
    expect(keyCommand({ key: 'n' })).toEqual({ kind: 'label', label: 'non_actionable' });
    expect(keyCommand({ key: '1' })).toEqual({ kind: 'reason', reason: 'threshold_needs_tuning' });
    expect(keyCommand({ key: '6' })).toEqual({ kind: 'reason', reason: 'other' });
    expect(keyCommand({ key: '7' })).toBeNull();
    expect(keyCommand({ key: 'j', shiftKey: true })).toEqual({ kind: 'move', by: 1, extend: true });
    expect(keyCommand({ key: 'K' })).toEqual({ kind: 'move', by: -1, extend: true });
    expect(keyCommand({ key: 'X' })).toEqual({ kind: 'selectRange' });
  });

  it("leaves the browser's own shortcuts and typing alone", () => {
    expect(keyCommand({ key: 'a', ctrlKey: true })).toBeNull();
    expect(keyCommand({ key: 'r', metaKey: true })).toBeNull();
    expect(isTypingTarget({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'text' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: false } as unknown as EventTarget)).toBe(false);
  });
});

describe('the label plan', () => {
  const t = (id: string, suggested: Target['suggested'], stored: Target['stored'] = null): Target => ({
    incidentId: id,
    suggested,
    stored,
  });

  it('labels a rule in one write, leaving out incidents already labelled so', () => {
    const plan = planWrites(
      [t('A', 'actionable'), t('B', 'non_actionable', { label: 'actionable', reason: null, note: 'x' }), t('C', 'actionable')],
      { kind: 'label', label: 'actionable' },
    );
    expect(plan).toEqual([{ incidentIds: ['A', 'C'], body: { label: 'actionable' } }]);
  });

  it('accepts mixed suggestions in two writes, one per label', () => {
    const plan = planWrites([t('A', 'actionable'), t('B', 'non_actionable'), t('C', 'non_actionable')], { kind: 'accept' });
    expect(plan).toEqual([
      { incidentIds: ['A'], body: { label: 'actionable' } },
      { incidentIds: ['B', 'C'], body: { label: 'non_actionable' } },
    ]);
  });

  it('shows what the server will store: a reason means non-actionable, actionable drops it, notes are kept', () => {
    const stored = { label: 'non_actionable' as const, reason: 'duplicate' as const, note: 'see OPS-1' };
    expect(preview(t('A', 'actionable', stored), { kind: 'label', label: 'actionable' })).toEqual({
      label: 'actionable',
      reason: null,
      note: 'see OPS-1',
    });
    expect(preview(t('A', 'actionable'), { kind: 'reason', reason: 'expected' })).toEqual({
      label: 'non_actionable',
      reason: 'expected',
      note: null,
    });
    expect(preview(t('A', 'actionable', stored), { kind: 'clear' })).toBeNull();
  });

  it('gives unlabelled incidents their suggested label with a note', () => {
    const plan = planWrites([t('A', 'non_actionable'), t('B', 'actionable', { label: 'actionable', reason: null, note: null })], {
      kind: 'note',
      note: ' flaky ',
    });
    expect(plan).toEqual([
      { incidentIds: ['A'], body: { label: 'non_actionable', note: 'flaky' } },
      { incidentIds: ['B'], body: { note: 'flaky' } },
    ]);
  });

  it('clears only labelled incidents', () => {
    expect(
      planWrites([t('A', 'actionable'), t('B', 'actionable', { label: 'actionable', reason: null, note: null })], {
        kind: 'clear',
      }),
    ).toEqual([{ incidentIds: ['B'], body: { label: null } }]);
  });
});

describe('trend charts', () => {
  const mix = {
    actionable: 1,
    threshold_needs_tuning: 2,
    check_is_faulty: 0,
    expected: 0,
    duplicate: 0,
    informational_only: 0,
    other: 0,
    non_actionable_no_reason: 0,
    unlabelled: 3,
  };
  const trends: ReviewTrends = {
    scope: { kind: 'team', id: 't', key: 't', name: 'T', timeZone: 'UTC', url: null },
    weeks: [
      {
        week: '2024-03-04',
        pages: 0,
        reviewedRatio: null,
        suggestedRatio: null,
        humanLabelledPages: 0,
        agreement: null,
        incidents: 0,
        labelMix: { ...mix, actionable: 0, threshold_needs_tuning: 0, unlabelled: 0 },
        followUpsOpened: 0,
        followUpsClosed: 0,
      },
      {
        week: '2024-03-11',
        pages: 20,
        reviewedRatio: 0.25,
        suggestedRatio: 0.5,
        humanLabelledPages: 12,
        agreement: 0.5,
        incidents: 6,
        labelMix: mix,
        followUpsOpened: 1,
        followUpsClosed: 0,
      },
    ],
    rules: [
      {
        signature: 'S:disk',
        title: 'disk <n>%',
        serviceName: 'Search',
        pages: 8,
        weeks: [
          { week: '2024-03-04', pages: 0, reviewedRatio: null, suggestedRatio: null },
          { week: '2024-03-11', pages: 8, reviewedRatio: 1, suggestedRatio: 1 },
        ],
      },
    ],
  };

  it('draws the reviewed and the suggested ratio in percent with the pages behind them', () => {
    const spec = falsePositiveTrend(trends, normalTheme);
    expect(spec.empty).toBe(false);
    expect(spec.table.columns.map((c) => c.label)).toEqual([
      'Bucket start',
      'As reviewed (labels, else suggestion)',
      'Suggestions alone',
      'Pages',
      'Pages labelled by a reviewer',
      'Reviewers agreeing with Vigil',
    ]);
    expect(spec.table.rows[1]).toEqual(['2024-03-11', 25, 50, 20, 12, 50]);
  });

  it('stacks the label mix and draws one line per noisy rule', () => {
    const mixSpec = labelMixTrend(trends, normalTheme);
    expect(mixSpec.table.rows[1]?.slice(0, 3)).toEqual(['2024-03-11', 1, 2]);
    const rules = ruleTrend(trends, normalTheme);
    expect(rules.table.columns.map((c) => c.label)).toContain('disk <n>% (Search)');
  });

  it("opens a week's pages from a point: the team's or schedule's, of the rule on the rule chart", () => {
    expect(falsePositiveTrend(trends, normalTheme).drill?.(0, 1)).toMatchObject({
      kind: 'pages',
      query: { team: ['t'], from: '2024-03-11', to: '2024-03-17', tz: 'UTC' },
    });
    expect(ruleTrend(trends, normalTheme).drill?.(0, 1)?.query).toMatchObject({ rule: 'S:disk', from: '2024-03-11' });
    const schedule = {
      ...trends,
      scope: { ...trends.scope, kind: 'schedule' as const, id: 'PSCHED', timeZone: 'Europe/Berlin' },
    };
    const ref = labelMixTrend(schedule, normalTheme).drill?.(0, 0);
    expect(ref?.query).toMatchObject({ schedule: 'PSCHED', from: '2024-03-04', to: '2024-03-10', tz: 'Europe/Berlin' });
    expect(ref?.query.team).toBeUndefined();
  });
});
