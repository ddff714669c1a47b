// Response times per severity against the targets: for each severity, how many incidents, the
// median and 90th percentile to detect, acknowledge, resolve and restore, the target and the share
// resolved within it. Small samples are flagged, never hidden.
import type { MetricResponse, MetricRow } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Badge } from '../../components/level-badge.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { severities } from '../../models/filters.ts';
import { useResource } from '../../models/use-resource.ts';

interface Row {
  severity: string;
  mtta: MetricRow | undefined;
  mttr: MetricRow | undefined;
  mttd: MetricRow | undefined;
  restore: MetricRow | undefined;
  target: number | null;
}

const n = (r: MetricRow | undefined, f: string) => (r && typeof r[f] === 'number' ? (r[f] as number) : null);

function Duration({ row }: { row: MetricRow | undefined }) {
  if (!row || n(row, 'n') === 0) return <span class="muted">–</span>;
  return (
    <span
      title={`n = ${row.n}${row.ci90 ? `, 90% CI of the median ${formatDuration((row.ci90 as [number, number])[0])}–${formatDuration((row.ci90 as [number, number])[1])}` : ''}`}
    >
      {formatDuration(n(row, 'median'))}
      <span class="cell-sub">p90 {formatDuration(n(row, 'p90'))}</span>
    </span>
  );
}

export function SeverityTable({ query }: { query: Record<string, unknown> }) {
  const { api, catalog, data, filters } = useApp();
  const q = { ...query, groupBy: 'severity' } as Record<string, string | string[]>;
  const urls = {
    mtta: api.metricUrl('mtta', q),
    mttr: api.metricUrl('mttr', q),
    mttd: api.metricUrl('mttd', q),
    restore: api.metricUrl('time-to-restore', q),
  };
  const mtta = useResource<MetricResponse>(urls.mtta);
  const mttr = useResource<MetricResponse>(urls.mttr);
  const mttd = useResource<MetricResponse>(urls.mttd);
  const restore = useResource<MetricResponse>(urls.restore);
  const all = [mtta, mttr, mttd, restore];
  const failed = all.find((r) => r?.status === 'error' && !r.data);
  if (failed?.status === 'error')
    return (
      <ErrorState
        error={failed.error}
        onClearFilters={() => filters.clearLists()}
        onRetry={() => {
          for (const u of Object.values(urls)) data.retry(u);
        }}
      />
    );
  if (all.some((r) => !r?.data)) return <Loading height={180} />;
  const targets = catalog.settings.value?.severityTargetsSeconds ?? {};
  const pick = (r: typeof mtta, s: string) => r?.data?.summary.find((x) => x.group === s);
  const rows: Row[] = severities
    .map((s) => ({
      severity: s,
      mtta: pick(mtta, s),
      mttr: pick(mttr, s),
      mttd: pick(mttd, s),
      restore: pick(restore, s),
      target: targets[s] ?? null,
    }))
    .filter((r) => (n(r.mttr, 'n') ?? 0) + (n(r.mttr, 'open') ?? 0) + (n(r.mtta, 'n') ?? 0) > 0);
  if (rows.length === 0) return <EmptyState title="No incidents in this range">Try a longer range or fewer filters.</EmptyState>;
  return (
    <DataTable<Row>
      testId="severity-table"
      columns={[
        { key: 'severity', label: 'Severity', render: (r) => <strong>{r.severity}</strong> },
        {
          key: 'incidents',
          label: 'Incidents',
          numeric: true,
          render: (r) => {
            const total = (n(r.mttr, 'n') ?? 0) + (n(r.mttr, 'open') ?? 0);
            return (
              <span class="row" style={{ justifyContent: 'flex-end', gap: '4px' }}>
                {total < 10 ? (
                  <Badge kind="warn" title="Fewer than 10 incidents: medians are noise">
                    small
                  </Badge>
                ) : null}
                {formatNumber(total)}
              </span>
            );
          },
        },
        {
          key: 'mttd',
          label: 'Detect',
          numeric: true,
          title: 'Time to detect: created minus impact start, where known',
          render: (r) => <Duration row={r.mttd} />,
        },
        {
          key: 'known',
          label: 'Start known',
          title: 'Share of incidents whose impact start is known (MTTD covers only those)',
          numeric: true,
          optional: true,
          render: (r) => formatPercent(n(r.mttd, 'knownShare')),
        },
        { key: 'mtta', label: 'Acknowledge', numeric: true, render: (r) => <Duration row={r.mtta} /> },
        {
          key: 'never',
          label: 'Never acked',
          numeric: true,
          optional: true,
          render: (r) => formatNumber(n(r.mtta, 'neverAcknowledged')),
        },
        { key: 'mttr', label: 'Resolve', numeric: true, render: (r) => <Duration row={r.mttr} /> },
        { key: 'restore', label: 'Restore', numeric: true, optional: true, render: (r) => <Duration row={r.restore} /> },
        {
          key: 'target',
          label: 'Target',
          numeric: true,
          render: (r) => (r.target ? formatDuration(r.target) : <span class="muted">none</span>),
        },
        {
          key: 'within',
          label: 'Within target',
          title: 'Share of resolved incidents resolved within their severity’s target',
          numeric: true,
          render: (r) => {
            const share = n(r.mttr, 'withinTarget');
            if (share === null) return <span class="muted">–</span>;
            return <strong>{formatPercent(share)}</strong>;
          },
        },
      ]}
      rows={rows}
      rowKey={(r) => r.severity}
    />
  );
}
