// A chart in a card, with everything every chart must have: a title, a one-line explanation and
// the definition link; loading, error (with the server's hint and Retry) and empty states (why,
// and what to check); a small-sample flag; the numbers as a table; CSV of exactly those numbers
// (the rows the chart draws) and PNG downloads; and clicks on points that lead to the records.
import type { ComponentChildren } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { ChartDataTable } from '../components/data-table.tsx';
import { Card } from '../components/layout.tsx';
import { Badge } from '../components/level-badge.tsx';
import { recordsHref } from '../components/link.tsx';
import { EmptyState, ErrorState, Loading } from '../components/states.tsx';
import { fileName } from '../lib/csv.ts';
import { useApp } from '../models/app-model.ts';
import { useResource } from '../models/use-resource.ts';
import { Chart } from './chart.tsx';
import type { ECharts } from './echarts.ts';
import { type ChartSpec, type DrillRef, tableCsv } from './spec.ts';
import { type ChartTheme, largeTheme, normalTheme } from './theme.ts';

export interface ChartCardProps<T> {
  /** Stable id: file names, anchors and test selectors. */
  id: string;
  title: string;
  explanation: ComponentChildren;
  definition?: string;
  /** The API answer the chart draws (null: not ready to ask yet). */
  url: string | null;
  build: (data: T, theme: ChartTheme) => ChartSpec;
  /** Why there is nothing to draw, and what to check. */
  empty: (data: T) => { title: string; hint: ComponentChildren };
  /** Notes from the answer (filters that do not apply, thresholds). */
  notes?: (data: T) => string[];
  /** Words under the chart: a summary table, a list. */
  footer?: (data: T, spec: ChartSpec) => ComponentChildren;
  /** Changes when `build` depends on more than the answer (a toggle): rebuilds the chart. */
  buildKey?: string;
  /** All the records behind the chart. */
  records?: DrillRef;
  /** File name parts after the id (usually the range). */
  fileParts?: string[];
  height?: number;
  wide?: boolean;
}

function download(name: string, href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function ChartCard<T>(props: ChartCardProps<T>) {
  const app = useApp();
  const resource = useResource<T>(props.url);
  const [showTable, setShowTable] = useState(false);
  const chart = useRef<ECharts | null>(null);
  const theme = app.prefs.largeType.value ? largeTheme : normalTheme;
  const height = Math.round((props.height ?? 280) * (app.prefs.largeType.value ? 1.25 : 1));
  const data = resource?.data;
  // build is an inline function: buildKey names what else it depends on.
  const spec = useMemo(() => (data !== undefined ? props.build(data, theme) : null), [data, theme, props.buildKey]);
  const names = [props.id, ...(props.fileParts ?? [])];

  const onCsv = () => {
    if (!spec) return;
    const blob = new Blob([`\uFEFF${tableCsv(spec.table)}`], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    download(fileName(['vigil', ...names], 'csv'), url);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const onPng = () => {
    const instance = chart.current;
    if (!instance) return;
    download(
      fileName(['vigil', ...names], 'png'),
      instance.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' }),
    );
  };
  const onPoint = (seriesIndex: number, dataIndex: number) => {
    const ref = spec?.drill?.(seriesIndex, dataIndex);
    if (ref) app.router.navigate(recordsHref(ref));
  };

  let body: ComponentChildren;
  if (!resource || (resource.status === 'loading' && data === undefined)) body = <Loading height={height} />;
  else if (resource.status === 'error' && data === undefined) {
    body = (
      <ErrorState
        error={resource.error}
        height={height}
        onRetry={() => props.url && app.data.retry(props.url)}
        onClearFilters={() =>
          app.router.setParams({ team: null, service: null, repo: null, severity: null, from: null, to: null, grain: null })
        }
      />
    );
  } else if (spec && data !== undefined && spec.empty) {
    const e = props.empty(data);
    body = (
      <EmptyState title={e.title} height={height}>
        {e.hint}
      </EmptyState>
    );
  } else if (spec) {
    body = showTable ? (
      <ChartDataTable table={spec.table} testId={`table-${props.id}`} />
    ) : (
      <Chart
        option={spec.option}
        height={height}
        label={`${props.title}: chart`}
        onPoint={spec.drill ? onPoint : undefined}
        onReady={(c) => {
          chart.current = c;
        }}
      />
    );
  }

  const ready = spec !== null && !spec.empty;
  const notes = data !== undefined && props.notes ? props.notes(data) : [];
  const badges = (
    <>
      {resource?.status === 'loading' && data !== undefined ? <Badge kind="muted">Updating…</Badge> : null}
      {resource?.status === 'error' && data !== undefined ? (
        <Badge kind="warn" title={resource.error.message}>
          Not refreshed
        </Badge>
      ) : null}
      {ready && spec.smallSample ? (
        <Badge
          kind="warn"
          title="Some points rest on fewer than 10 values (hollow points, faded bars): differences there are mostly noise."
        >
          Small sample
        </Badge>
      ) : null}
    </>
  );
  const actions = (
    <>
      <button
        type="button"
        class="tool"
        aria-pressed={showTable}
        disabled={!ready}
        onClick={() => setShowTable(!showTable)}
        title="Show the numbers behind the chart"
      >
        {showTable ? 'Chart' : 'Table'}
      </button>
      <button
        type="button"
        class="tool"
        disabled={!ready}
        onClick={onCsv}
        title="Download the numbers shown as CSV"
        data-action="csv"
      >
        CSV
      </button>
      <button
        type="button"
        class="tool"
        disabled={!ready || showTable}
        onClick={onPng}
        title="Download the chart as PNG"
        data-action="png"
      >
        PNG
      </button>
      {props.records ? (
        <a class="tool" href={recordsHref(props.records)} title="The records behind this chart">
          Records
        </a>
      ) : null}
    </>
  );

  return (
    <Card
      id={props.id}
      title={props.title}
      explanation={props.explanation}
      definition={props.definition}
      actions={actions}
      badges={badges}
      wide={props.wide}
    >
      <div class="chart-body" data-state={resource?.status ?? 'idle'} data-empty={spec?.empty ? 'true' : 'false'}>
        {body}
      </div>
      {ready && spec.smallSample && !showTable ? (
        <p class="chart-note">
          {spec.smallNote ?? 'Hollow points and faded bars rest on fewer than 10 values: read them as noise.'}
        </p>
      ) : null}
      {notes.length > 0 ? (
        <ul class="notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      {data !== undefined && spec && props.footer ? props.footer(data, spec) : null}
    </Card>
  );
}
