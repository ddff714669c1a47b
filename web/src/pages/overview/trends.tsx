// The DORA trends on the overview: deployments, lead time, change failure rate, recovery time and
// rework rate per month or quarter, for everyone or one line per team, each drilling to the
// records of the bucket clicked.
import type { ApiClient } from '../../api/client.ts';
import type { MetricResponse, MetricRow } from '../../api/types.ts';
import { ChartCard } from '../../charts/chart-card.tsx';
import { buildTimeSeries, durationOf, percentOf } from '../../charts/options/time-series.ts';
import type { ChartTheme } from '../../charts/theme.ts';
import { durationUnitSeconds, pickDurationUnit, unitLabel } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { bucketQuery, deploymentsEmptyHint, incidentsEmptyHint, type PageQuery, teamColors, useHealth } from '../shared.tsx';

const maxOf = (rows: readonly MetricRow[], field: string) =>
  Math.max(0, ...rows.map((r) => (typeof r[field] === 'number' ? (r[field] as number) : 0)));

/** The answers the trends draw, by metric: the charts read them and the page prefetches them. */
export function trendUrls(api: ApiClient, page: PageQuery, byTeam: boolean) {
  const q = { ...page.query, ...(byTeam ? { groupBy: 'team' } : {}) };
  return {
    deployments: api.metricUrl('deployment-frequency', q),
    leadTime: api.metricUrl('lead-time', q),
    changeFailure: api.metricUrl('change-failure-rate', q),
    recovery: api.metricUrl('recovery-time', q),
    rework: api.metricUrl('rework-rate', q),
  };
}

export function DoraTrends({ page, byTeam }: { page: PageQuery; byTeam: boolean }) {
  const { api, catalog } = useApp();
  const health = useHealth();
  const urls = trendUrls(api, page, byTeam);
  const grouped = byTeam ? { label: (g: string) => catalog.teamName(g), colors: teamColors(catalog) } : undefined;
  const team = (row: MetricRow) => (byTeam ? { by: 'team', value: row.group } : null);
  const noDeploys = (title: string) => () => ({ title, hint: deploymentsEmptyHint(catalog, page.state, health) });
  const key = `${byTeam}`;
  const notes = (r: MetricResponse) => r.notes;

  return (
    <>
      <ChartCard<MetricResponse>
        id="trend-deployments"
        title="Deployments"
        explanation="Successful production deployments per period."
        definition="deployment-frequency"
        url={urls.deployments}
        buildKey={key}
        fileParts={page.fileParts}
        build={(r, theme: ChartTheme) =>
          buildTimeSeries({
            rows: r.rows,
            grain: page.grain,
            range: page.state,
            series: [{ field: 'n', label: 'Deployments', kind: 'bar', ...(byTeam ? { stack: 'teams' } : {}) }],
            ...(grouped ? { grouped } : {}),
            axes: [{ name: 'Deployments', unit: 'deployments' }],
            extra: [{ field: 'deployDays', label: 'Deploy days', unit: 'days' }],
            small: () => false,
            drill: (row) => ({
              kind: 'deployments',
              query: bucketQuery(page, row.bucket, team(row), { outcome: 'success' }),
              label: 'Successful production deployments',
            }),
            theme,
          })
        }
        empty={noDeploys('No production deployments in this range')}
        notes={notes}
      />
      <ChartCard<MetricResponse>
        id="trend-lead-time"
        title="Lead time for changes"
        explanation={byTeam ? 'Median per team.' : 'Median and 90th percentile; hollow points rest on fewer than 10 changes.'}
        definition="lead-time"
        url={urls.leadTime}
        buildKey={key}
        fileParts={page.fileParts}
        build={(r, theme) => {
          const unit = pickDurationUnit(maxOf(r.rows, byTeam ? 'median' : 'p90'));
          const s = durationUnitSeconds[unit];
          return buildTimeSeries({
            rows: r.rows,
            grain: page.grain,
            range: page.state,
            series: [
              { field: 'median', label: 'Median', kind: 'line', value: durationOf('median', s) },
              { field: 'p90', label: '90th percentile', kind: 'line', dashed: true, value: durationOf('p90', s) },
            ],
            ...(grouped ? { grouped } : {}),
            axes: [{ name: 'Lead time', unit: unitLabel(unit), title: unit }],
            extra: [{ field: 'n', label: 'Changes' }],
            drill: (row) => ({
              kind: 'deployments',
              query: bucketQuery(page, row.bucket, team(row), { outcome: 'success' }),
              label: 'Deployments and the changes they shipped',
            }),
            theme,
          });
        }}
        empty={noDeploys('No changes shipped in this range')}
        notes={notes}
      />
      <ChartCard<MetricResponse>
        id="trend-change-failure-rate"
        title="Change failure rate"
        explanation="Share of production deployments that caused an incident or were rolled back."
        definition="change-failure-rate"
        url={urls.changeFailure}
        buildKey={key}
        fileParts={page.fileParts}
        build={(r, theme) =>
          buildTimeSeries({
            rows: r.rows,
            grain: page.grain,
            range: page.state,
            series: [{ field: 'rate', label: 'Change failure rate', kind: byTeam ? 'line' : 'bar', value: percentOf('rate') }],
            ...(grouped ? { grouped } : {}),
            axes: [{ name: 'Change failure rate', percent: true }],
            extra: [
              { field: 'failed', label: 'Failed deployments' },
              { field: 'n', label: 'Deployments' },
            ],
            small: (row) => typeof row.n === 'number' && row.n > 0 && row.n < 10,
            drill: (row) => ({
              kind: 'deployments',
              query: bucketQuery(page, row.bucket, team(row), { changeFailed: 'true' }),
              label: 'Failed deployments (caused an incident or rolled back)',
            }),
            theme,
          })
        }
        empty={noDeploys('No production deployments in this range')}
        notes={notes}
      />
      <ChartCard<MetricResponse>
        id="trend-recovery-time"
        title="Failed deployment recovery time"
        explanation="From the failed deployment to the resolution of the incident it caused."
        definition="recovery-time"
        url={urls.recovery}
        buildKey={key}
        fileParts={page.fileParts}
        build={(r, theme) => {
          const unit = pickDurationUnit(maxOf(r.rows, byTeam ? 'median' : 'p90'));
          const s = durationUnitSeconds[unit];
          return buildTimeSeries({
            rows: r.rows,
            grain: page.grain,
            range: page.state,
            series: [
              { field: 'median', label: 'Median', kind: 'line', value: durationOf('median', s) },
              { field: 'p90', label: '90th percentile', kind: 'line', dashed: true, value: durationOf('p90', s) },
            ],
            ...(grouped ? { grouped } : {}),
            axes: [{ name: 'Recovery time', unit: unitLabel(unit), title: unit }],
            extra: [
              { field: 'n', label: 'Recovered incidents' },
              { field: 'open', label: 'Still open' },
            ],
            drill: (row) => ({
              kind: 'incidents',
              query: bucketQuery(page, row.bucket, team(row), { cause: 'change_caused' }),
              label: 'Change-caused incidents',
            }),
            theme,
          });
        }}
        empty={() => ({
          title: 'No change-caused incidents in this range',
          hint: incidentsEmptyHint(catalog, page.state, health),
        })}
        notes={notes}
      />
      <ChartCard<MetricResponse>
        id="trend-rework-rate"
        title="Deployment rework rate"
        explanation="Share of deployments made while a change-caused incident was open (or within an hour of its resolution)."
        definition="rework-rate"
        url={urls.rework}
        buildKey={key}
        fileParts={page.fileParts}
        build={(r, theme) =>
          buildTimeSeries({
            rows: r.rows,
            grain: page.grain,
            range: page.state,
            series: [{ field: 'rate', label: 'Rework rate', kind: 'line', value: percentOf('rate') }],
            ...(grouped ? { grouped } : {}),
            axes: [{ name: 'Rework rate', percent: true }],
            extra: [
              { field: 'rework', label: 'Rework deployments' },
              { field: 'n', label: 'Deployments' },
            ],
            small: (row) => typeof row.n === 'number' && row.n > 0 && row.n < 10,
            drill: (row) => ({
              kind: 'deployments',
              query: bucketQuery(page, row.bucket, team(row), { outcome: 'success' }),
              label: 'Successful production deployments',
            }),
            theme,
          })
        }
        empty={noDeploys('No production deployments in this range')}
        notes={notes}
      />
    </>
  );
}
