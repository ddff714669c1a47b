// Incidents: how fast incidents are detected, acknowledged and resolved per severity against the
// targets, the distributions behind the medians, how they were detected (monitoring or people),
// the overdue and never-escalated ones, and the list with each incident's timeline.
import type { DurationDistribution, MetricResponse, MetricRow } from '../../api/types.ts';
import { ChartCard } from '../../charts/chart-card.tsx';
import { buildHistogram, histogramSummary } from '../../charts/options/histogram.ts';
import { buildTimeSeries, durationOf, percentOf } from '../../charts/options/time-series.ts';
import { okabeIto, severityColors } from '../../charts/theme.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FilterBar } from '../../components/filter-bar.tsx';
import { Card, Figure, Figures, Grid, Page, Section } from '../../components/layout.tsx';
import { Badge } from '../../components/level-badge.tsx';
import { hrefWith } from '../../components/link.tsx';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { severities } from '../../models/filters.ts';
import { useResource } from '../../models/use-resource.ts';
import { RecordList } from '../../records/record-list.tsx';
import { bucketQuery, incidentsEmptyHint, useHealth, usePageQuery } from '../shared.tsx';
import { SeverityTable } from './severity-table.tsx';

const measures = {
  mttr: { label: 'Time to resolve', metric: 'mttr' },
  mtta: { label: 'Time to acknowledge', metric: 'mtta' },
  mttd: { label: 'Time to detect', metric: 'mttd' },
  'time-to-restore': { label: 'Time to restore', metric: 'time-to-restore' },
} as const;
type Measure = keyof typeof measures;

const total = (r: MetricResponse | undefined) => r?.summary.find((s) => s.group === null) ?? r?.summary[0];
const num = (row: MetricRow | undefined, field: string) =>
  row && typeof row[field] === 'number' ? (row[field] as number) : null;

export default function IncidentsPage() {
  const { api, catalog, router } = useApp();
  const health = useHealth();
  const page = usePageQuery(['team', 'service', 'severity']);
  const measureParam = router.params.value.get('measure');
  const measure: Measure = measureParam && measureParam in measures ? (measureParam as Measure) : 'mttr';
  const q = page.query;
  const urls = {
    incidents: api.metricUrl('incidents', q),
    mtta: api.metricUrl('mtta', q),
    mttr: api.metricUrl('mttr', q),
    overdue: api.metricUrl('overdue-incidents', q),
    detection: api.metricUrl('detection-source', { ...page.base, grain: 'month' }),
  };
  const incidents = total(useResource<MetricResponse>(urls.incidents)?.data);
  const mtta = total(useResource<MetricResponse>(urls.mtta)?.data);
  const mttr = total(useResource<MetricResponse>(urls.mttr)?.data);
  const overdue = total(useResource<MetricResponse>(urls.overdue)?.data);
  const detection = total(useResource<MetricResponse>(urls.detection)?.data);
  const empty = (title: string) => () => ({ title, hint: incidentsEmptyHint(catalog, page.state, health) });
  const sevLabel = (g: string | null) => g ?? 'All';

  return (
    <Page title="Incidents" subtitle={<>Detection, response and resolution against the targets, {page.rangeLabel}.</>}>
      <FilterBar filters={['team', 'service', 'severity']} grain="week" />
      <Figures>
        <Figure
          label="Incidents"
          href={hrefWith('/records/incidents', { ...page.base, title: 'Incidents' })}
          value={formatNumber(num(incidents, 'n'))}
          context={`${formatNumber(num(incidents, 'open'))} still open`}
        />
        <Figure
          label="Time to acknowledge"
          value={formatDuration(num(mtta, 'median'))}
          unit="median"
          context={`p90 ${formatDuration(num(mtta, 'p90'))} · ${formatNumber(num(mtta, 'neverAcknowledged'))} never acknowledged`}
        />
        <Figure
          label="Time to resolve"
          value={formatDuration(num(mttr, 'median'))}
          unit="median"
          context={`p90 ${formatDuration(num(mttr, 'p90'))}`}
        />
        <Figure
          label="Resolved within target"
          value={formatPercent(num(mttr, 'withinTarget'))}
          context={`of ${formatNumber(num(mttr, 'withTarget'))} with a target`}
        />
        <Figure
          label="Overdue, never escalated"
          href={hrefWith('/records/incidents', {
            ...page.base,
            overdue: 'true',
            escalated: 'false',
            title: 'Overdue incidents never escalated',
          })}
          value={formatNumber(num(overdue, 'overdueNeverEscalated'))}
          context={`${formatNumber(num(overdue, 'overdue'))} overdue in all`}
          {...((num(overdue, 'overdueNeverEscalated') ?? 0) > 0 ? { tone: 'bad' as const } : {})}
        />
        <Figure
          label="Reported by people"
          value={formatNumber(num(detection, 'human'))}
          context={`${formatPercent(num(detection, 'monitoringShare'))} caught by monitoring`}
        />
      </Figures>
      <Section
        title="Per severity, against the targets"
        description="Median and 90th percentile; hover a value for its sample size and confidence interval."
      >
        <Card
          title="Response times by severity"
          definition="mttr"
          wide
          explanation="Targets are per severity (config severity.targets)."
        >
          <SeverityTable query={page.base} />
        </Card>
      </Section>
      <Section
        title="Distributions"
        description="The spread behind the medians: a long tail matters more than a small change in the middle."
        actions={
          <fieldset class="segmented">
            <legend class="sr-only">Measure</legend>
            {(Object.keys(measures) as Measure[]).map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={measure === m}
                class={measure === m ? 'on' : ''}
                data-measure={m}
                onClick={() => router.setParams({ measure: m === 'mttr' ? null : m })}
              >
                {measures[m].label}
              </button>
            ))}
          </fieldset>
        }
      >
        <Grid>
          <ChartCard<DurationDistribution>
            id={`distribution-${measure}`}
            title={`${measures[measure].label} by severity`}
            explanation="Incidents per time bin, one bar per severity; the bins widen as times grow. Medians and targets are in the table."
            definition={measures[measure].metric}
            url={api.distributionUrl(measure, { ...page.base, groupBy: 'severity' })}
            fileParts={page.fileParts}
            buildKey={measure}
            build={(d, theme) =>
              buildHistogram({
                distribution: d,
                groupLabel: sevLabel,
                colors: severityColors,
                order: severities,
                drill: (g) => ({
                  kind: 'incidents',
                  query: { ...page.base, ...(g ? { severity: [g] } : {}) },
                  label: `${g ?? 'All'} incidents`,
                }),
                theme,
              })
            }
            empty={empty('No incidents with this measure in the range')}
            notes={(d) => d.notes}
            footer={(d) => (
              <DataTable
                dense
                columns={[
                  { key: 'g', label: 'Severity', render: (s) => s.label },
                  {
                    key: 'n',
                    label: 'n',
                    numeric: true,
                    render: (s) => (s.small ? <span title="small sample">{formatNumber(s.n)} ⚠</span> : formatNumber(s.n)),
                  },
                  { key: 'm', label: 'Median', numeric: true, render: (s) => formatDuration(s.median) },
                  { key: 'p', label: 'p90', numeric: true, render: (s) => formatDuration(s.p90) },
                  ...(measure === 'mttr' || measure === 'time-to-restore'
                    ? [
                        {
                          key: 't',
                          label: 'Target',
                          numeric: true,
                          render: (s: ReturnType<typeof histogramSummary>[number]) => formatDuration(s.targetSeconds),
                        },
                        {
                          key: 'w',
                          label: 'Within target',
                          numeric: true,
                          render: (s: ReturnType<typeof histogramSummary>[number]) => formatPercent(s.withinShare),
                        },
                      ]
                    : []),
                ]}
                rows={histogramSummary(d, sevLabel).sort((a, b) => String(a.group).localeCompare(String(b.group)))}
                rowKey={(s) => String(s.group)}
              />
            )}
          />
          <ChartCard<MetricResponse>
            id="within-target-trend"
            title="Resolved within target"
            explanation="Share of resolved incidents resolved within their severity's target, per period; faded bars rest on fewer than 10."
            definition="mttr"
            url={urls.mttr}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  {
                    field: 'withinTarget',
                    label: 'Within target',
                    kind: 'bar',
                    value: percentOf('withinTarget'),
                    color: okabeIto.green,
                  },
                ],
                axes: [{ name: 'Within target', percent: true, max: 100 }],
                extra: [
                  { field: 'withTarget', label: 'Resolved, with a target' },
                  { field: 'median', label: 'Median time to resolve', unit: 'h', value: durationOf('median', 3600) },
                  { field: 'open', label: 'Still open' },
                ],
                small: (row) => (num(row, 'withTarget') ?? 0) > 0 && (num(row, 'withTarget') ?? 0) < 10,
                drill: (row) => ({
                  kind: 'incidents',
                  query: bucketQuery(page, row.bucket, null, { status: 'resolved' }),
                  label: 'Resolved incidents',
                }),
                theme,
              })
            }
            empty={empty('No resolved incidents with a target in this range')}
            notes={(r) => r.notes}
          />
        </Grid>
      </Section>
      <Section
        title="Detection and escalation"
        description="Who noticed first, and which incidents ran past their target without anyone escalating."
      >
        <Grid>
          <ChartCard<MetricResponse>
            id="detection-source"
            title="Detection source per month"
            explanation="Incidents triggered by monitoring (integrations) versus by a person: human-reported incidents are monitoring gaps."
            definition="detection-source"
            url={urls.detection}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: 'month',
                range: page.state,
                series: [
                  { field: 'monitoring', label: 'Monitoring', kind: 'bar', stack: 'source', color: okabeIto.blue },
                  { field: 'human', label: 'Reported by a person', kind: 'bar', stack: 'source', color: okabeIto.orange },
                  { field: 'unknown', label: 'Unknown', kind: 'bar', stack: 'source', color: '#8a93a3' },
                ],
                axes: [{ name: 'Incidents', unit: 'incidents', title: 'incidents' }],
                extra: [
                  { field: 'monitoringShare', label: 'Caught by monitoring', unit: '%', value: percentOf('monitoringShare') },
                ],
                small: () => false,
                drill: (row) => ({
                  kind: 'incidents',
                  query: { ...bucketQuery({ ...page, grain: 'month' }, row.bucket, null) },
                  label: 'Incidents',
                }),
                theme,
              })
            }
            empty={empty('No incidents in this range')}
            notes={(r) => r.notes}
          />
          <ChartCard<MetricResponse>
            id="overdue-incidents"
            title="Overdue incidents"
            explanation="Incidents open longer than their severity's target, and those never escalated (no escalation, no priority raise)."
            definition="overdue-incidents"
            url={urls.overdue}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  {
                    field: 'overdueEscalated',
                    label: 'Overdue, escalated',
                    kind: 'bar',
                    stack: 'overdue',
                    color: okabeIto.sky,
                    value: (row) => (num(row, 'overdue') ?? 0) - (num(row, 'overdueNeverEscalated') ?? 0),
                  },
                  {
                    field: 'overdueNeverEscalated',
                    label: 'Overdue, never escalated',
                    kind: 'bar',
                    stack: 'overdue',
                    color: okabeIto.vermillion,
                  },
                ],
                axes: [{ name: 'Incidents', unit: 'incidents', title: 'incidents' }],
                extra: [
                  { field: 'overdue', label: 'Overdue' },
                  { field: 'n', label: 'Incidents' },
                  { field: 'openOverdue', label: 'Still open and overdue' },
                ],
                small: () => false,
                drill: (row) => ({
                  kind: 'incidents',
                  query: bucketQuery(page, row.bucket, null, { overdue: 'true' }),
                  label: 'Overdue incidents',
                }),
                theme,
              })
            }
            empty={() => ({
              title: 'No overdue incidents in this range',
              hint: 'Every incident with a target was resolved within it.',
            })}
            notes={(r) => r.notes}
            records={{ kind: 'incidents', query: { ...page.base, overdue: 'true' }, label: 'Overdue incidents' }}
          />
          <Card
            id="never-escalated"
            title="Overdue and never escalated"
            explanation="These ran past their target with no escalation and no priority raise: candidates for escalation rules."
            definition="overdue-incidents"
            wide
            badges={<Badge kind="bad">Escalation triggers</Badge>}
            actions={
              <a
                class="tool"
                href={hrefWith('/records/incidents', {
                  ...page.base,
                  overdue: 'true',
                  escalated: 'false',
                  title: 'Overdue incidents never escalated',
                })}
              >
                All
              </a>
            }
          >
            <RecordList
              kind="incidents"
              query={{ ...page.base, overdue: 'true', escalated: 'false' }}
              limit={10}
              empty="No overdue incident went unescalated in this range."
              testId="never-escalated"
            />
          </Card>
        </Grid>
      </Section>
      <Section title="All incidents" description="Newest first; open a row for its timeline, or the incident for everything.">
        <div class="card">
          <RecordList kind="incidents" query={page.base} limit={20} testId="incident-list" />
        </div>
      </Section>
    </Page>
  );
}
