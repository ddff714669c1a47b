// The filters every page shares, as the URL keeps them: parsing (defaults, presets, custom
// dates, bad values), the patch a change writes, the API query, and the router that moves them.
import { describe, expect, it } from 'vitest';
import { bucketRange, rangePresets, suggestedGrain } from '../../web/src/lib/dates.ts';
import { apiQuery, effectiveGrain, filterPatch, parseFilters } from '../../web/src/models/filters.ts';
import { patchParams, RouterModel } from '../../web/src/models/router.ts';

const TODAY = '2024-05-15';
const parse = (search: string) => parseFilters(new URLSearchParams(search), TODAY);

describe('parseFilters', () => {
  it('defaults to the last 90 days, no lists, the page grain', () => {
    const f = parse('');
    expect(f).toMatchObject({ preset: '90d', from: '2024-02-16', to: '2024-05-15', grain: null, team: [], severity: [] });
    expect(effectiveGrain(f, 'month')).toBe('month');
    expect(effectiveGrain(f)).toBe('week');
  });

  it('reads a preset, repeated and comma-separated lists, and a grain', () => {
    const f = parse('range=30d&team=payments&team=search,payments&severity=SEV1&severity=SEV9&grain=day');
    expect(f).toMatchObject({ preset: '30d', from: '2024-04-16', to: '2024-05-15', grain: 'day' });
    expect(f.team).toEqual(['payments', 'search']);
    expect(f.severity).toEqual(['SEV1']);
  });

  it('prefers valid custom dates, and falls back to the default on nonsense', () => {
    expect(parse('from=2024-01-01&to=2024-01-31&range=30d')).toMatchObject({
      preset: null,
      from: '2024-01-01',
      to: '2024-01-31',
    });
    expect(parse('from=2024-02-30&to=2024-03-01')).toMatchObject({ preset: '90d' });
    expect(parse('from=2024-03-02&to=2024-03-01')).toMatchObject({ preset: '90d' });
    expect(parse('grain=fortnight').grain).toBeNull();
  });

  it('computes every preset as whole days ending today (or the last full quarter)', () => {
    const byId = Object.fromEntries(rangePresets.map((p) => [p.id, p.range(TODAY)]));
    expect(byId['7d']).toEqual({ from: '2024-05-09', to: TODAY });
    expect(byId['180d']).toEqual({ from: '2023-11-16', to: TODAY });
    expect(byId.qtd).toEqual({ from: '2024-04-01', to: TODAY });
    expect(byId.pq).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(byId.ytd).toEqual({ from: '2024-01-01', to: TODAY });
  });
});

describe('filterPatch and apiQuery', () => {
  it('a preset clears custom dates and custom dates clear the preset', () => {
    expect(filterPatch({ preset: '30d' })).toEqual({ range: '30d', from: null, to: null });
    expect(filterPatch({ preset: '90d' })).toEqual({ range: null, from: null, to: null });
    expect(filterPatch({ from: '2024-01-01', to: '2024-02-01' })).toEqual({ range: null, from: '2024-01-01', to: '2024-02-01' });
    expect(filterPatch({ team: ['a'], grain: null })).toEqual({ team: ['a'], grain: null });
  });

  it('builds the API query from the filters a page uses', () => {
    const f = parse('team=payments&severity=SEV2&service=P1');
    expect(apiQuery(f, { grain: 'month', only: ['team', 'severity'] })).toEqual({
      from: '2024-02-16',
      to: TODAY,
      grain: 'month',
      team: ['payments'],
      severity: ['SEV2'],
    });
  });

  it('patches query parameters, removing empty values and repeating lists', () => {
    expect(patchParams('a=1&team=x', { team: ['p', 'q'], a: null, b: '2' }).toString()).toBe('team=p&team=q&b=2');
  });
});

describe('dates', () => {
  it('clips a bucket to the range for drill-downs', () => {
    expect(bucketRange('2024-02-12', 'week', { from: '2024-02-16', to: '2024-05-15' })).toEqual({
      from: '2024-02-16',
      to: '2024-02-18',
    });
    expect(bucketRange('2024-05-01', 'month', { from: '2024-02-16', to: '2024-05-15' })).toEqual({
      from: '2024-05-01',
      to: '2024-05-15',
    });
    expect(bucketRange('2024-01-01', 'quarter', { from: '2023-12-01', to: '2024-12-31' })).toEqual({
      from: '2024-01-01',
      to: '2024-03-31',
    });
  });

  it('suggests a grain that gives a readable number of buckets', () => {
    expect(suggestedGrain('2024-05-01', '2024-05-15')).toBe('day');
    expect(suggestedGrain('2024-02-16', '2024-05-15')).toBe('week');
    expect(suggestedGrain('2023-05-16', '2024-05-15')).toBe('month');
    expect(suggestedGrain('2020-01-01', '2024-05-15')).toBe('quarter');
  });
});

describe('RouterModel', () => {
  /** A minimal window: a location and a history that records entries, as a browser's would. */
  function fakeWindow(start: string) {
    let url = new URL(start, 'http://vigil.test');
    const entries = [url.href];
    const listeners: (() => void)[] = [];
    const win = {
      get location() {
        return { href: url.href, pathname: url.pathname, search: url.search, hash: url.hash } as Location;
      },
      history: {
        pushState: (_s: unknown, _t: string, next: string) => {
          url = new URL(next, url);
          entries.push(url.href);
        },
        replaceState: (_s: unknown, _t: string, next: string) => {
          url = new URL(next, url);
          entries[entries.length - 1] = url.href;
        },
      } as History,
      addEventListener: (_: string, fn: () => void) => listeners.push(fn),
      removeEventListener: () => {},
      scrollTo: () => {},
      back() {
        entries.pop();
        url = new URL(entries[entries.length - 1] as string);
        for (const fn of listeners) fn();
      },
    };
    return { win: win as unknown as Window & { back(): void }, entries };
  }

  it('keeps the filters in the URL, and back restores the previous ones', () => {
    const { win, entries } = fakeWindow('/deployments?range=30d');
    const router = new RouterModel(win);
    router.setParams(filterPatch({ team: ['payments'] }));
    expect(router.location.value.search).toBe('?range=30d&team=payments');
    router.setParams(filterPatch({ from: '2024-01-01', to: '2024-01-31' }));
    expect(parseFilters(router.params.value, TODAY)).toMatchObject({ preset: null, team: ['payments'], from: '2024-01-01' });
    expect(entries).toHaveLength(3);
    (win as unknown as { back(): void }).back();
    expect(parseFilters(router.params.value, TODAY)).toMatchObject({ preset: '30d', team: ['payments'] });
  });
});
