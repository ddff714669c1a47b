// On-call health: pages per on-call week per person against the target, when pages arrive (hour
// x weekday in each person's own zone), sleep-hour pages and bad nights, how the load is shared in
// each team, and the alert rules that page most.
import type { MetricResponse, MetricRow, PageHours } from '../../api/types.ts';
import { ChartCard } from '../../charts/chart-card.tsx';
import { buildHeatmap, weekdayNames } from '../../charts/options/heatmap.ts';
import { buildRanking } from '../../charts/options/ranking.ts';
import { buildTimeSeries, percentOf } from '../../charts/options/time-series.ts';
import { okabeIto } from '../../charts/theme.ts';
import { FilterBar } from '../../components/filter-bar.tsx';
import { Card, Figure, Figures, Grid, Page, Section } from '../../components/layout.tsx';
import { hrefWith } from '../../components/link.tsx';
import { formatNumber, formatPercent } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { useResource } from '../../models/use-resource.ts';
import { bucketQuery, pagesEmptyHint, useHealth, usePageQuery } from '../shared.tsx';
import { AlertRules } from './alert-rules.tsx';

const total = (r: MetricResponse | undefined) => r?.summary.find((s) => s.group === null) ?? r?.summary[0];
const num = (row: MetricRow | undefined, field: string) =>
  row && typeof row[field] === 'number' ? (row[field] as number) : null;

export default function OncallPage() {
  const { api, catalog, router } = useApp();
  const health = useHealth();
  const page = usePageQuery(['team', 'service', 'severity']);
  const measure = router.params.value.get('heat') === 'interruptions' ? 'interruptions' : 'pages';
  const q = page.query;
  const target = catalog.settings.value?.pagesPerWeekTarget ?? 5;
  const urls = {
    pages: api.metricUrl('pages', q),
    perWeek: api.metricUrl('pages-per-oncall-week', q),
    perPerson: api.metricUrl('pages-per-oncall-week', { ...q, groupBy: 'person' }),
    nights: api.metricUrl('nights-interrupted', q),
    bad: api.metricUrl('bad-nights', q),
    badPerson: api.metricUrl('bad-nights', { ...q, groupBy: 'person' }),
    load: api.metricUrl('load-concentration', { ...q, groupBy: 'team' }),
    fp: api.metricUrl('false-positive-ratio', q),
  };
  const pages = total(useResource<MetricResponse>(urls.pages)?.data);
  const perWeek = total(useResource<MetricResponse>(urls.perWeek)?.data);
  const nights = total(useResource<MetricResponse>(urls.nights)?.data);
  const bad = total(useResource<MetricResponse>(urls.bad)?.data);
  const fp = total(useResource<MetricResponse>(urls.fp)?.data);
  const empty = (title: string) => () => ({ title, hint: pagesEmptyHint(catalog, page.state, health) });
  const person = (id: string) => catalog.personName(id);

  return (
    <Page title="On-call health" subtitle={<>Is on-call sustainable? Pages, sleep and load, {page.rangeLabel}.</>}>
      <FilterBar filters={['team', 'service', 'severity']} grain="week" />
      <Figures>
        <Figure
          label="Pages"
          href={hrefWith('/records/pages', { ...page.base, title: 'Pages' })}
          value={formatNumber(num(pages, 'n'))}
          context={`${formatNumber(num(pages, 'interruptions'))} interruptions · ${formatNumber(num(pages, 'people'))} people`}
        />
        <Figure
          label="Pages per on-call week"
          value={formatNumber(num(perWeek, 'value'), 1)}
          context={`target under ${formatNumber(target)}`}
          {...((num(perWeek, 'value') ?? 0) >= target ? { tone: 'bad' as const } : {})}
        />
        <Figure
          label="Off-hours pages"
          href={hrefWith('/records/pages', { ...page.base, hourClass: 'off', title: 'Off-hours pages' })}
          value={formatNumber(num(pages, 'offHours'))}
          context="evenings and weekends, awake"
        />
        <Figure
          label="Sleep-hour pages"
          href={hrefWith('/records/pages', { ...page.base, hourClass: 'sleep', title: 'Sleep-hour pages' })}
          value={formatNumber(num(pages, 'sleep'))}
          context={`${formatNumber(num(nights, 'n'))} nights interrupted`}
        />
        <Figure
          label="Bad nights"
          value={formatNumber(num(bad, 'n'))}
          context={`${formatNumber(catalog.settings.value?.badNightInterruptions ?? 3)}+ sleep interruptions`}
          {...((num(bad, 'n') ?? 0) > 0 ? { tone: 'bad' as const } : {})}
        />
        <Figure
          label="False-positive ratio"
          value={formatPercent(num(fp, 'ratio'))}
          context={`${formatNumber(num(fp, 'humanLabelled'))} pages labelled by people, ${formatNumber(num(fp, 'suggested'))} suggested`}
        />
      </Figures>
      <Section
        title="Load per person"
        description={`Pages each person received while on call, per 168 on-call hours. The target is under ${target}.`}
      >
        <Grid>
          <ChartCard<MetricResponse>
            id="pages-per-oncall-week-person"
            title="Pages per on-call week, per person"
            explanation="Hatched bars are at or over the target; faded ones rest on under a week on call."
            definition="pages-per-oncall-week"
            url={urls.perPerson}
            fileParts={page.fileParts}
            height={340}
            build={(r, theme) =>
              buildRanking({
                items: r.summary
                  .filter((s) => s.group !== null)
                  .map((s) => ({
                    id: String(s.group),
                    label: person(String(s.group)),
                    value: typeof s.value === 'number' ? Math.round(s.value * 10) / 10 : null,
                    small: (num(s, 'onCallHours') ?? 0) < 168,
                    details: [
                      { label: 'Pages on call', value: num(s, 'pages') },
                      { label: 'On-call hours', value: num(s, 'onCallHours'), unit: 'h' },
                    ],
                  })),
                valueLabel: 'Pages per on-call week',
                target: {
                  value: r.target?.value ?? target,
                  label: `Target ${formatNumber(r.target?.value ?? target)}`,
                  over: 'atOrAbove',
                },
                drill: (item) => ({
                  kind: 'pages',
                  query: { ...page.base, person: item.id, onCall: 'true' },
                  label: `Pages to ${item.label} while on call`,
                }),
                theme,
              })
            }
            empty={empty('Nobody was paged while on call in this range')}
            notes={(r) => r.notes}
          />
          <ChartCard<MetricResponse>
            id="pages-per-oncall-week-trend"
            title="Pages per on-call week over time"
            explanation="Everyone on call in the filters, per period, against the target line; faded bars rest on under a week on call."
            definition="pages-per-oncall-week"
            url={urls.perWeek}
            fileParts={page.fileParts}
            height={340}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  {
                    field: 'value',
                    label: 'Pages per on-call week',
                    kind: 'bar',
                    value: (row) => (typeof row.value === 'number' ? Math.round(row.value * 10) / 10 : null),
                  },
                ],
                axes: [{ name: 'Pages per on-call week', unit: 'pages/week', title: 'pages / week' }],
                target: { value: r.target?.value ?? target, label: `Target ${formatNumber(r.target?.value ?? target)}` },
                extra: [
                  { field: 'pages', label: 'Pages on call' },
                  { field: 'onCallHours', label: 'On-call hours', unit: 'h' },
                ],
                small: (row) => (num(row, 'onCallHours') ?? 0) > 0 && (num(row, 'onCallHours') ?? 0) < 168,
                drill: (row) => ({
                  kind: 'pages',
                  query: bucketQuery(page, row.bucket, null, { onCall: 'true' }),
                  label: 'Pages while on call',
                }),
                theme,
              })
            }
            empty={empty('No on-call pages in this range')}
            notes={(r) => r.notes}
          />
        </Grid>
      </Section>
      <Section
        title="When pages arrive"
        description="In each recipient's own time zone; the line under the hours marks sleep, business and off hours. Click a cell for its pages."
        actions={
          <fieldset class="segmented">
            <legend class="sr-only">Count</legend>
            <button
              type="button"
              aria-pressed={measure === 'pages'}
              class={measure === 'pages' ? 'on' : ''}
              onClick={() => router.setParams({ heat: null })}
            >
              Pages
            </button>
            <button
              type="button"
              aria-pressed={measure === 'interruptions'}
              class={measure === 'interruptions' ? 'on' : ''}
              data-heat="interruptions"
              onClick={() => router.setParams({ heat: 'interruptions' })}
            >
              Interruptions
            </button>
          </fieldset>
        }
      >
        <Grid>
          <ChartCard<PageHours>
            id="page-hours"
            title={measure === 'pages' ? 'Pages by hour and weekday' : 'Interruptions by hour and weekday'}
            explanation="Several pages to one person within 5 minutes are one interruption."
            definition="off-hours-pages"
            url={api.distributionUrl('page-hours', page.base)}
            fileParts={page.fileParts}
            buildKey={measure}
            height={330}
            wide
            build={(h, theme) =>
              buildHeatmap({
                hours: h,
                measure,
                drill: (weekday, hour) => ({
                  kind: 'pages',
                  query: { ...page.base, weekday: String(weekday), hour: String(hour) },
                  label: `Pages on ${weekdayNames[weekday - 1]}s, ${String(hour).padStart(2, '0')}:00 local`,
                }),
                theme,
              })
            }
            empty={empty('No pages in this range')}
            notes={(h) => h.notes}
          />
          <ChartCard<MetricResponse>
            id="pages-by-hour-class"
            title="Pages by time of day"
            explanation="Business hours, off hours (evenings, weekends) and sleep hours, per period."
            definition="off-hours-pages"
            url={urls.pages}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  { field: 'business', label: 'Business hours', kind: 'bar', stack: 'hours', color: okabeIto.sky },
                  { field: 'offHours', label: 'Off hours', kind: 'bar', stack: 'hours', color: okabeIto.orange },
                  { field: 'sleep', label: 'Sleep hours', kind: 'bar', stack: 'hours', color: okabeIto.vermillion },
                ],
                axes: [{ name: 'Pages', unit: 'pages', title: 'pages' }],
                extra: [
                  { field: 'interruptions', label: 'Interruptions' },
                  { field: 'people', label: 'People paged' },
                ],
                small: () => false,
                drill: (row) => ({ kind: 'pages', query: bucketQuery(page, row.bucket, null), label: 'Pages' }),
                theme,
              })
            }
            empty={empty('No pages in this range')}
            notes={(r) => r.notes}
          />
          <ChartCard<MetricResponse>
            id="bad-nights-person"
            title="Bad nights per person"
            explanation={`Nights (22:00–08:00 local) with ${catalog.settings.value?.badNightInterruptions ?? 3} or more sleep-hour interruptions.`}
            definition="bad-nights"
            url={urls.badPerson}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildRanking({
                items: r.summary
                  .filter((s) => s.group !== null && (num(s, 'nightsInterrupted') ?? 0) > 0)
                  .map((s) => ({
                    id: String(s.group),
                    label: person(String(s.group)),
                    value: num(s, 'n'),
                    details: [
                      { label: 'Nights interrupted', value: num(s, 'nightsInterrupted') },
                      {
                        label: 'Bad share',
                        value: num(s, 'badShare') === null ? null : Math.round((num(s, 'badShare') ?? 0) * 100),
                        unit: '%',
                      },
                    ],
                  })),
                valueLabel: 'Bad nights',
                unit: 'nights',
                drill: (item) => ({
                  kind: 'pages',
                  query: { ...page.base, person: item.id, hourClass: 'sleep' },
                  label: `Sleep-hour pages to ${item.label}`,
                }),
                theme,
              })
            }
            empty={() => ({ title: 'No sleep-hour pages in this range', hint: 'Nobody was woken up: nothing to show.' })}
            notes={(r) => r.notes}
          />
        </Grid>
      </Section>
      <Section
        title="Sharing the load"
        description="The busiest person's share of each team's pages; a team where one or two people take 80% or more is flagged."
      >
        <Grid>
          <ChartCard<MetricResponse>
            id="load-concentration"
            title="Load concentration per team"
            explanation="Share of the team's pages taken by its busiest person (bar) and busiest two (in the tooltip)."
            definition="load-concentration"
            url={urls.load}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildRanking({
                items: r.summary
                  .filter((s) => s.group !== null && (num(s, 'pages') ?? 0) > 0)
                  .map((s) => ({
                    id: String(s.group),
                    label: catalog.teamName(String(s.group)),
                    value: percentOf('top1Share')(s),
                    small: (num(s, 'pages') ?? 0) < 10,
                    details: [
                      { label: 'Busiest person', value: typeof s.top1Name === 'string' ? s.top1Name : null },
                      { label: 'Busiest two', value: percentOf('top2Share')(s), unit: '%' },
                      { label: 'Pages', value: num(s, 'pages') },
                      { label: 'People paged', value: num(s, 'people') },
                      { label: 'Flagged', value: s.flagged ? 'yes' : 'no' },
                    ],
                  })),
                valueLabel: 'Busiest person’s share',
                percent: true,
                target: {
                  value: (catalog.settings.value?.concentrationThreshold ?? 0.8) * 100,
                  label: `Flag at ${formatPercent(catalog.settings.value?.concentrationThreshold ?? 0.8)}`,
                  over: 'atOrAbove',
                },
                drill: (item) => ({ kind: 'pages', query: { ...page.base, team: [item.id] }, label: `Pages of ${item.label}` }),
                theme,
              })
            }
            empty={empty('No pages in this range')}
            footer={(r) => {
              const flagged = r.summary.filter((s) => s.flagged);
              return flagged.length ? (
                <p class="callout callout-warn" style={{ margin: 0 }}>
                  Flagged:{' '}
                  {flagged
                    .map((s) => `${catalog.teamName(String(s.group))} (busiest two take ${formatPercent(num(s, 'top2Share'))})`)
                    .join('; ')}
                  .
                </p>
              ) : null;
            }}
            notes={(r) => r.notes}
          />
          <ChartCard<MetricResponse>
            id="false-positive-ratio"
            title="False-positive ratio"
            explanation="Pages from non-actionable incidents, by a reviewer's label or else Vigil's suggestion."
            definition="false-positive-ratio"
            url={urls.fp}
            fileParts={page.fileParts}
            build={(r, theme) =>
              buildTimeSeries({
                rows: r.rows,
                grain: page.grain,
                range: page.state,
                series: [
                  {
                    field: 'ratio',
                    label: 'False-positive ratio',
                    kind: 'line',
                    value: percentOf('ratio'),
                    color: okabeIto.purple,
                  },
                ],
                axes: [{ name: 'False-positive ratio', percent: true }],
                extra: [
                  { field: 'nonActionable', label: 'Non-actionable pages' },
                  { field: 'pages', label: 'Pages' },
                  { field: 'humanLabelled', label: 'Labelled by people' },
                ],
                small: (row) => (num(row, 'pages') ?? 0) > 0 && (num(row, 'pages') ?? 0) < 10,
                drill: (row) => ({ kind: 'pages', query: bucketQuery(page, row.bucket, null), label: 'Pages' }),
                theme,
              })
            }
            empty={empty('No pages in this range')}
            notes={(r) => r.notes}
          />
        </Grid>
      </Section>
      <Section
        title="Noisiest alert rules"
        description="Alerts grouped by a normalised signature (numbers, hosts and ids replaced). Open one for its incidents."
      >
        <Card
          id="alert-rules"
          title="Alert rules by pages"
          definition="alert-rules"
          wide
          actions={
            <a class="tool" href={hrefWith('/records/pages', { ...page.base, title: 'Pages' })}>
              All pages
            </a>
          }
        >
          <AlertRules query={page.base} />
        </Card>
      </Section>
    </Page>
  );
}
