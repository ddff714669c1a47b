// Deployments: how often teams ship (deployments and deploy days), how long changes take (the
// lead-time distribution and trend), how often a deployment fails (change failure rate, with the
// failed deployments listed, and failed attempts), and the latest deployments.
import type { Query } from '../../api/client.ts';
import type { DurationDistribution, MetricResponse, MetricRow } from '../../api/types.ts';
import { ChartCard } from '../../charts/chart-card.tsx';
import { buildHistogram, histogramSummary } from '../../charts/options/histogram.ts';
import { buildTimeSeries, durationOf, percentOf } from '../../charts/options/time-series.ts';
import { FilterBar } from '../../components/filter-bar.tsx';
import { Card, Figure, Figures, Grid, Page, Section } from '../../components/layout.tsx';
import { hrefWith } from '../../components/link.tsx';
import {
  durationUnitSeconds,
  formatDuration,
  formatNumber,
  formatPercent,
  pickDurationUnit,
  unitLabel,
} from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { useResource } from '../../models/use-resource.ts';
import { RecordList } from '../../records/record-list.tsx';
import { bucketQuery, deploymentsEmptyHint, useHealth, usePageQuery } from '../shared.tsx';

const total = (r: MetricResponse | undefined) => r?.summary.find((s) => s.group === null) ?? r?.summary[0];
const num = (row: MetricRow | undefined, field: string) =>
  row && typeof row[field] === 'number' ? (row[field] as number) : null;

function KeyFigures({ urls, base }: { urls: Record<'freq' | 'days' | 'lead' | 'cfr' | 'dfr', string>; base: Query }) {
  const records = (query: Query, title: string) => hrefWith('/records/deployments', { ...base, ...query, title });
  const freq = total(useResource<MetricResponse>(urls.freq)?.data);
  const days = total(useResource<MetricResponse>(urls.days)?.data);
  const lead = total(useResource<MetricResponse>(urls.lead)?.data);
  const cfr = total(useResource<MetricResponse>(urls.cfr)?.data);
  const dfr = total(useResource<MetricResponse>(urls.dfr)?.data);
  return (
    <Figures>
      <Figure
        label="Production deployments"
        href={records({ outcome: 'success' }, 'Successful production deployments')}
        value={formatNumber(num(freq, 'n'))}
        context={`${formatNumber(num(freq, 'perWeek'), 1)} per week`}
      />
      <Figure
        label="Deploy days per week"
        value={formatNumber(num(days, 'medianDeployDays'), 1)}
        unit="median"
        context={`over ${formatNumber(num(days, 'weeks'))} weeks`}
      />
      <Figure
        label="Lead time for changes"
        value={formatDuration(num(lead, 'median'))}
        unit="median"
        context={`p90 ${formatDuration(num(lead, 'p90'))} · ${formatNumber(num(lead, 'n'))} changes`}
      />
      <Figure
        label="Change failure rate"
        href={records({ changeFailed: 'true' }, 'Failed deployments')}
        value={formatPercent(num(cfr, 'rate'), 1)}
        context={`${formatNumber(num(cfr, 'failed'))} failed: ${formatNumber(num(cfr, 'causedIncident'))} caused incidents, ${formatNumber(num(cfr, 'rolledBack'))} rolled back`}
      />
      <Figure
        label="Deploy failure rate"
        href={records({ outcome: 'failure' }, 'Failed deployment attempts')}
        value={formatPercent(num(dfr, 'rate'), 1)}
        context={`${formatNumber(num(dfr, 'failed'))} attempts failed before reaching production`}
      />
    </Figures>
  );
}

export default function DeploymentsPage() {
  const { api, catalog } = useApp();
  const health = useHealth();
  const page = usePageQuery(['team', 'repo']);
  const q = page.query;
  const urls = {
    freq: api.metricUrl('deployment-frequency', q),
    days: api.metricUrl('deploy-days', q),
    lead: api.metricUrl('lead-time', q),
    cfr: api.metricUrl('change-failure-rate', q),
    dfr: api.metricUrl('deploy-failure-rate', q),
  };
  const empty = (title: string) => () => ({ title, hint: deploymentsEmptyHint(catalog, page.state, health) });
  return (
    <Page title="Deployments" subtitle={<>Production deployments, their changes and their failures, {page.rangeLabel}.</>}>
      <FilterBar filters={['team', 'repo']} grain="week" />
      <KeyFigures urls={urls} base={page.base} />
      <Section title="Frequency" description="How often production changes. Click a bar for its deployments.">
        <Grid>
          <ChartCard<MetricResponse>
            id="deployment-frequency"
            title="Deployments and deploy days"
            explanation="Successful production deployments per period (bars) and the days with at least one (line)."
            definition="deployment-frequency"
            url={urls.freq}
            fileParts={page.fileParts}
            wide
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  { field: 'n', label: 'Deployments', kind: 'bar' },
                  { field: 'deployDays', label: 'Deploy days', kind: 'line', secondAxis: true },
                ],
                axes: [
                  { name: 'Deployments', unit: 'deployments', title: 'deployments' },
                  { name: 'Deploy days', unit: 'days', title: 'days' },
                ],
                extra: [{ field: 'perWeek', label: 'Per week', unit: 'deployments' }],
                small: () => false,
                drill: (row) => ({
                  kind: 'deployments',
                  query: bucketQuery(page, row.bucket, null, { outcome: 'success' }),
                  label: 'Successful production deployments',
                }),
                theme,
              })
            }
            empty={empty('No production deployments in this range')}
            notes={(r) => r.notes}
            records={{
              kind: 'deployments',
              query: { ...page.base, outcome: 'success' },
              label: 'Successful production deployments',
            }}
          />
        </Grid>
      </Section>
      <Section
        title="Lead time for changes"
        description="From a change’s first commit to production: the spread, not only the middle."
      >
        <Grid>
          <ChartCard<DurationDistribution>
            id="lead-time-distribution"
            title="Lead time distribution"
            explanation="Changes by how long they took; the bins widen as times grow, so compare shapes, not bar heights alone."
            definition="lead-time"
            url={api.distributionUrl('lead-time', page.base)}
            fileParts={page.fileParts}
            build={(d, theme) =>
              buildHistogram({
                distribution: d,
                groupLabel: () => 'Changes',
                drill: () => ({
                  kind: 'deployments',
                  query: { ...page.base, outcome: 'success' },
                  label: 'Deployments and their changes',
                }),
                theme,
              })
            }
            empty={empty('No changes shipped in this range')}
            footer={(d) => {
              const s = histogramSummary(d, () => 'Changes')[0];
              return s ? (
                <p class="chart-note">
                  Median {formatDuration(s.median)} · 90th percentile {formatDuration(s.p90)} · {formatNumber(s.n)} changes
                </p>
              ) : null;
            }}
          />
          <ChartCard<MetricResponse>
            id="lead-time-trend"
            title="Lead time over time"
            explanation="Median and 90th percentile per period; hollow points rest on fewer than 10 changes."
            definition="lead-time"
            url={urls.lead}
            fileParts={page.fileParts}
            build={(r, theme) => {
              const unit = pickDurationUnit(Math.max(0, ...r.rows.map((x) => (typeof x.p90 === 'number' ? x.p90 : 0))));
              const s = durationUnitSeconds[unit];
              return buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  { field: 'median', label: 'Median', kind: 'line', value: durationOf('median', s) },
                  { field: 'p90', label: '90th percentile', kind: 'line', dashed: true, value: durationOf('p90', s) },
                ],
                axes: [{ name: 'Lead time', unit: unitLabel(unit), title: unit }],
                extra: [
                  { field: 'n', label: 'Changes' },
                  { field: 'pullRequests', label: 'Pull requests' },
                ],
                drill: (row) => ({
                  kind: 'deployments',
                  query: bucketQuery(page, row.bucket, null, { outcome: 'success' }),
                  label: 'Deployments and the changes they shipped',
                }),
                theme,
              });
            }}
            empty={empty('No changes shipped in this range')}
            notes={(r) => r.notes}
          />
        </Grid>
      </Section>
      <Section
        title="Failures"
        description="A change failure caused an incident or was rolled back; a failed attempt never reached production."
      >
        <Grid>
          <ChartCard<MetricResponse>
            id="change-failure-rate"
            title="Change failure rate"
            explanation="Share of successful production deployments that caused an incident or were rolled back."
            definition="change-failure-rate"
            url={urls.cfr}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [{ field: 'rate', label: 'Change failure rate', kind: 'bar', value: percentOf('rate') }],
                axes: [{ name: 'Change failure rate', percent: true }],
                extra: [
                  { field: 'failed', label: 'Failed deployments' },
                  { field: 'causedIncident', label: 'Caused an incident' },
                  { field: 'rolledBack', label: 'Rolled back' },
                  { field: 'n', label: 'Deployments' },
                ],
                small: (row) => typeof row.n === 'number' && row.n > 0 && row.n < 10,
                drill: (row) => ({
                  kind: 'deployments',
                  query: bucketQuery(page, row.bucket, null, { changeFailed: 'true' }),
                  label: 'Failed deployments',
                }),
                theme,
              })
            }
            empty={empty('No production deployments in this range')}
            notes={(r) => r.notes}
            records={{ kind: 'deployments', query: { ...page.base, changeFailed: 'true' }, label: 'Failed deployments' }}
          />
          <ChartCard<MetricResponse>
            id="deploy-failure-rate"
            title="Deploy failure rate"
            explanation="Share of production deployment attempts whose newest status is failure or error."
            definition="deploy-failure-rate"
            url={urls.dfr}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  { field: 'rate', label: 'Deploy failure rate', kind: 'bar', value: percentOf('rate'), color: '#E69F00' },
                ],
                axes: [{ name: 'Deploy failure rate', percent: true }],
                extra: [
                  { field: 'failed', label: 'Failed attempts' },
                  { field: 'n', label: 'Attempts' },
                ],
                small: (row) => typeof row.n === 'number' && row.n > 0 && row.n < 10,
                drill: (row) => ({
                  kind: 'deployments',
                  query: bucketQuery(page, row.bucket, null, { outcome: 'failure' }),
                  label: 'Failed deployment attempts',
                }),
                theme,
              })
            }
            empty={empty('No production deployment attempts in this range')}
            notes={(r) => r.notes}
          />
          <Card
            id="failed-deployments"
            title="Failed deployments"
            explanation="The deployments counted in the change failure rate, newest first, with the incidents they caused."
            wide
            actions={
              <a
                class="tool"
                href={hrefWith('/records/deployments', { ...page.base, changeFailed: 'true', title: 'Failed deployments' })}
              >
                All
              </a>
            }
          >
            <RecordList
              kind="deployments"
              query={{ ...page.base, changeFailed: 'true' }}
              limit={10}
              empty="No deployment failed in this range."
              testId="failed-deployments"
            />
          </Card>
        </Grid>
      </Section>
      <Section
        title="Latest deployments"
        description="Every production deployment, newest first. Open one for its changes, pull requests and incidents."
      >
        <div class="card">
          <RecordList kind="deployments" query={page.base} limit={15} testId="latest-deployments" />
        </div>
      </Section>
    </Page>
  );
}
