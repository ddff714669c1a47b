// The chart option builders, without a browser: what each draws, the table of exactly those
// numbers (the CSV), small-sample flags, empty detection, and where a click on a point leads.
import { describe, expect, it } from 'vitest';
import type { DurationDistribution, MetricRow, PageHours } from '../../web/src/api/types.ts';
import { buildHeatmap } from '../../web/src/charts/options/heatmap.ts';
import { binLabel, buildHistogram } from '../../web/src/charts/options/histogram.ts';
import { buildRanking } from '../../web/src/charts/options/ranking.ts';
import { buildTimeSeries, durationOf, percentOf } from '../../web/src/charts/options/time-series.ts';
import { tableCsv } from '../../web/src/charts/spec.ts';
import { normalTheme } from '../../web/src/charts/theme.ts';
import { toCsv } from '../../web/src/lib/csv.ts';

const theme = normalTheme;
type Series = { type: string; name: string; data: unknown[]; markLine?: unknown; stack?: string }[];
const seriesOf = (option: unknown) => (option as { series: Series }).series;
const plain = (data: unknown[]) => data.map((d) => (d !== null && typeof d === 'object' ? (d as { value: number }).value : d));

const lead: MetricRow[] = [
  { bucket: '2024-03-01', group: null, n: 12, median: 7200, p90: 36_000, mean: 9000, ci90: [3600, 9000], smallSample: false },
  { bucket: '2024-04-01', group: null, n: 4, median: 90_000, p90: 180_000, mean: 100_000, ci90: null, smallSample: true },
  { bucket: '2024-05-01', group: null, n: 0, median: null, p90: null, mean: null, ci90: null, smallSample: true },
];

describe('buildTimeSeries', () => {
  const spec = buildTimeSeries({
    rows: lead,
    grain: 'month',
    series: [
      { field: 'median', label: 'Median', kind: 'line', value: durationOf('median', 3600) },
      { field: 'p90', label: '90th percentile', kind: 'line', dashed: true, value: durationOf('p90', 3600) },
    ],
    axes: [{ name: 'Lead time', unit: 'h', title: 'hours' }],
    extra: [{ field: 'n', label: 'Changes' }],
    drill: (row) => ({ kind: 'deployments', query: { from: String(row.bucket) }, label: 'Deployments' }),
    theme,
  });

  it('draws each field in the axis unit, with the gaps left as gaps', () => {
    const [median, p90] = seriesOf(spec.option);
    expect(plain(median?.data ?? [])).toEqual([2, 25, null]);
    expect(plain(p90?.data ?? [])).toEqual([10, 50, null]);
    expect((spec.option as { xAxis: { data: string[] } }).xAxis.data).toEqual(['Mar 2024', 'Apr 2024', 'May 2024']);
  });

  it('marks small samples: hollow points and a flag', () => {
    const [median] = seriesOf(spec.option);
    expect(median?.data[0]).toBe(2);
    expect(median?.data[1]).toMatchObject({ value: 25, itemStyle: { color: '#ffffff' } });
    expect(spec.smallSample).toBe(true);
  });

  it('tables exactly the numbers drawn, which is what the CSV holds', () => {
    expect(spec.table.columns.map((c) => c.label)).toEqual([
      'Bucket start',
      'Median',
      '90th percentile',
      'Changes',
      'Small sample',
    ]);
    expect(spec.table.rows).toEqual([
      ['2024-03-01', 2, 10, 12, false],
      ['2024-04-01', 25, 50, 4, true],
      ['2024-05-01', null, null, 0, true],
    ]);
    expect(tableCsv(spec.table).split('\r\n')[0]).toBe('Bucket start,Median (h),90th percentile (h),Changes,Small sample');
    expect(tableCsv(spec.table).split('\r\n')[2]).toBe('2024-04-01,25,50,4,true');
  });

  it('leads a click to the records of that bucket', () => {
    expect(spec.drill?.(0, 1)).toEqual({ kind: 'deployments', query: { from: '2024-04-01' }, label: 'Deployments' });
  });

  it('explains its tooltip with the value, the unit and the small-sample flag', () => {
    const formatter = (spec.option as { tooltip: { formatter: (p: unknown) => string } }).tooltip.formatter;
    const html = formatter([{ dataIndex: 1, seriesIndex: 0 }]);
    expect(html).toContain('Apr 2024');
    expect(html).toContain('25 h');
    expect(html).toContain('small sample');
  });

  it('is empty when every value is missing or zero', () => {
    const empty = buildTimeSeries({
      rows: [{ bucket: '2024-03-01', group: null, n: 0 }],
      grain: 'month',
      series: [{ field: 'n', label: 'Deployments', kind: 'bar' }],
      axes: [{ name: 'Deployments' }],
      theme,
    });
    expect(empty.empty).toBe(true);
  });

  it('draws one series per group, largest first, with escaped names in tooltips', () => {
    const rows: MetricRow[] = [
      { bucket: '2024-03-01', group: 'a', rate: 0.1, n: 20 },
      { bucket: '2024-03-01', group: 'b', rate: 0.5, n: 20 },
      { bucket: '2024-04-01', group: 'b', rate: 0.25, n: 4 },
    ];
    const spec2 = buildTimeSeries({
      rows,
      grain: 'month',
      series: [{ field: 'rate', label: 'Rate', kind: 'line', value: percentOf('rate') }],
      grouped: { label: (g) => (g === 'b' ? '<B team>' : 'A team') },
      axes: [{ name: 'Rate', percent: true }],
      small: (r) => (r.n as number) < 10,
      theme,
    });
    const s = seriesOf(spec2.option);
    expect(s.map((x) => x.name)).toEqual(['<B team>', 'A team']);
    expect(plain(s[0]?.data ?? [])).toEqual([50, 25]);
    expect(plain(s[1]?.data ?? [])).toEqual([10, null]);
    expect(spec2.table.rows).toEqual([
      ['2024-03-01', 50, 10],
      ['2024-04-01', 25, null],
    ]);
    const formatter = (spec2.option as { tooltip: { formatter: (p: unknown) => string } }).tooltip.formatter;
    expect(formatter([{ dataIndex: 0, seriesIndex: 0 }])).toContain('&lt;B team&gt;');
  });

  it('draws the target line when there is one', () => {
    const spec3 = buildTimeSeries({
      rows: [{ bucket: '2024-03-01', group: null, value: 7 }],
      grain: 'week',
      series: [{ field: 'value', label: 'Pages per on-call week', kind: 'bar' }],
      axes: [{ name: 'pages/week' }],
      target: { value: 5, label: 'Target 5' },
      theme,
    });
    expect(seriesOf(spec3.option)[0]?.markLine).toMatchObject({ data: [{ yAxis: 5 }] });
  });
});

describe('buildHistogram', () => {
  const edges = [0, 60, 300, 900, 1800, 3600, 7200, 14_400];
  const distribution: DurationDistribution = {
    name: 'mttr',
    title: 'Time to resolve',
    kind: 'duration',
    unit: 'seconds',
    edges,
    bins: [
      { group: 'SEV2', bin: 2, lo: 300, hi: 900, n: 3 },
      { group: 'SEV2', bin: 4, lo: 1800, hi: 3600, n: 1 },
      { group: 'SEV1', bin: 3, lo: 900, hi: 1800, n: 2 },
    ],
    groups: [
      { group: 'SEV2', n: 4, median: 600, p90: 2000, targetSeconds: 14_400, withinTarget: 4 },
      { group: 'SEV1', n: 2, median: 1000, p90: 1500, targetSeconds: 3600, withinTarget: 2 },
    ],
    notes: [],
  };
  const spec = buildHistogram({
    distribution,
    groupLabel: (g) => g ?? 'All',
    order: ['SEV1', 'SEV2', 'SEV3', 'SEV4'],
    drill: (g) => ({ kind: 'incidents', query: { severity: g ? [g] : [] }, label: `${g} incidents` }),
    theme,
  });

  it('keeps only the bins from the first to the last one used, in severity order', () => {
    expect((spec.option as { xAxis: { data: string[] } }).xAxis.data).toEqual(['5–15 min', '15–30 min', '30 min – 1 h']);
    const s = seriesOf(spec.option);
    expect(s.map((x) => x.name)).toEqual(['SEV1', 'SEV2']);
    expect(s[0]?.data).toEqual([0, 2, 0]);
    expect(s[1]?.data).toEqual([3, 0, 1]);
  });

  it('tables the bins with their edges in seconds', () => {
    expect(spec.table.rows).toEqual([
      [300, 900, '5–15 min', 0, 3],
      [900, 1800, '15–30 min', 2, 0],
      [1800, 3600, '30 min – 1 h', 0, 1],
    ]);
    expect(spec.smallSample).toBe(true);
    expect(spec.drill?.(1, 0)).toMatchObject({ query: { severity: ['SEV2'] } });
  });

  it('labels bins as people say them', () => {
    expect(binLabel(0, 60)).toBe('< 1 min');
    expect(binLabel(3600, 7200)).toBe('1–2 h');
    expect(binLabel(28_800, 86_400)).toBe('8 h – 1 d');
    expect(binLabel(7_776_000, null)).toBe('≥ 90 d');
  });
});

describe('buildHeatmap', () => {
  const cells: PageHours['cells'] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      cells.push({
        weekday,
        hour,
        pages: weekday === 3 && hour === 2 ? 5 : 0,
        interruptions: weekday === 3 && hour === 2 ? 2 : 0,
      });
    }
  }
  const hours: PageHours = {
    name: 'page-hours',
    title: 'Pages by hour and weekday',
    kind: 'heatmap',
    cells,
    total: { pages: 5, interruptions: 2 },
    hours: { businessStart: 8, businessEnd: 18, businessDays: [1, 2, 3, 4, 5], sleepStart: 22, sleepEnd: 8 },
    notes: [],
  };

  it('places each cell at its hour and weekday and drills to its pages', () => {
    const spec = buildHeatmap({
      hours,
      measure: 'pages',
      drill: (weekday, hour) => ({ kind: 'pages', query: { weekday: String(weekday), hour: String(hour) }, label: 'Pages' }),
      theme,
    });
    const data = seriesOf(spec.option)[0]?.data as [number, number, number][];
    expect(data).toHaveLength(168);
    const index = data.findIndex((d) => d[2] === 5);
    expect(data[index]).toEqual([2, 2, 5]);
    expect(spec.drill?.(0, index)).toMatchObject({ query: { weekday: '3', hour: '2' } });
    expect(spec.drill?.(0, 0)).toBeNull();
    expect(spec.table.rows.find((r) => r[2] === 5)).toEqual(['Wednesday', 2, 5, 2]);
  });

  it('draws interruptions when asked, and is empty without pages', () => {
    const spec = buildHeatmap({ hours, measure: 'interruptions', theme });
    const data = (seriesOf(spec.option)[0]?.data ?? []) as number[][];
    expect(data.find((d) => d[2] === 2)).toEqual([2, 2, 2]);
    const none = buildHeatmap({
      hours: { ...hours, cells: cells.map((c) => ({ ...c, pages: 0, interruptions: 0 })) },
      measure: 'pages',
      theme,
    });
    expect(none.empty).toBe(true);
  });
});

describe('buildRanking', () => {
  const spec = buildRanking({
    items: [
      { id: 'a', label: 'Ana', value: 3, details: [{ label: 'Pages', value: 6 }] },
      { id: 'b', label: 'Ben', value: 12.5, details: [{ label: 'Pages', value: 25 }] },
      { id: 'c', label: 'Cy', value: null },
      { id: 'd', label: 'Dee', value: 5, small: true, details: [{ label: 'Pages', value: 1 }] },
    ],
    valueLabel: 'Pages per on-call week',
    target: { value: 5, label: 'Target 5', over: 'atOrAbove' },
    drill: (item) => ({ kind: 'pages', query: { person: item.id }, label: item.label }),
    theme,
  });

  it('sorts largest first (drawn bottom-up), leaves out people without a value and marks those over target', () => {
    const y = (spec.option as { yAxis: { data: string[] } }).yAxis.data;
    expect(y).toEqual(['Ana', 'Dee', 'Ben']);
    const data = seriesOf(spec.option)[0]?.data as { value: number; label: { formatter: string } }[];
    expect(data.map((d) => d.label.formatter)).toEqual(['3', '5 · over · small sample', '12.5 · over']);
    expect(spec.table.rows).toEqual([
      ['Ben', 12.5, 25, true],
      ['Dee', 5, 1, true],
      ['Ana', 3, 6, false],
    ]);
    expect(spec.drill?.(0, 2)).toMatchObject({ query: { person: 'b' } });
    expect(spec.smallSample).toBe(true);
  });
});

describe('CSV', () => {
  it('quotes, neutralises formulas and ends lines with CRLF', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['=1+2', 'x,"y"'],
          [-3, null],
        ],
      ),
    ).toBe('a,b\r\n\'=1+2,"x,""y"""\r\n-3,\r\n');
  });
});

describe('partial buckets', () => {
  it('says when a bucket is only partly inside the range', async () => {
    const { partialBucket } = await import('../../web/src/charts/options/time-series.ts');
    expect(partialBucket('2024-08-01', 'month', { from: '2024-08-26', to: '2024-11-23' })).toEqual({ inside: 6, length: 31 });
    expect(partialBucket('2024-09-01', 'month', { from: '2024-08-26', to: '2024-11-23' })).toBeNull();
    expect(partialBucket('2024-11-18', 'week', { from: '2024-08-26', to: '2024-11-20' })).toEqual({ inside: 3, length: 7 });
  });
});
