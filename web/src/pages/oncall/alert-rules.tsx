// The noisiest alert rules: the normalised signatures that paged most in the range, with how many
// incidents and sleep-hour pages they caused, how many resolved themselves or flapped, and their
// noise ratio; each opens its incidents.
import type { Query } from '../../api/client.ts';
import type { AlertRule } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Badge } from '../../components/level-badge.tsx';
import { hrefWith } from '../../components/link.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { formatDate, formatNumber, formatPercent } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { useResource } from '../../models/use-resource.ts';

export function AlertRules({ query, limit = 12 }: { query: Query; limit?: number }) {
  const { api, data } = useApp();
  const url = api.alertRulesUrl(query);
  const res = useResource<{ items: AlertRule[]; summary: Record<string, number> | null }>(url);
  if (!res || (res.status === 'loading' && !res.data)) return <Loading height={200} />;
  if (res.status === 'error' && !res.data) return <ErrorState error={res.error} onRetry={() => data.retry(url)} />;
  const items = [...(res.data?.items ?? [])].sort((a, b) => b.pages - a.pages || b.incidents - a.incidents).slice(0, limit);
  if (items.length === 0) return <EmptyState title="No alert rule paged anyone in this range" />;
  const max = Math.max(...items.map((r) => r.pages));
  return (
    <DataTable<AlertRule>
      testId="alert-rules"
      rows={items}
      rowKey={(r) => r.signature}
      initialSort={{ key: 'pages', dir: 'desc' }}
      columns={[
        {
          key: 'rule',
          label: 'Alert rule',
          render: (r) => (
            <>
              <a
                class="cell-title"
                href={hrefWith('/records/incidents', { ...query, rule: r.signature, title: `Incidents of “${r.example}”` })}
                title={r.title}
              >
                {r.example}
              </a>
              <span class="cell-sub">
                {r.serviceName ?? r.serviceId} · last {formatDate(r.lastSeen)}
              </span>
            </>
          ),
        },
        {
          key: 'pages',
          label: 'Pages',
          numeric: true,
          sort: (r) => r.pages,
          render: (r) => (
            <span class="row" style={{ justifyContent: 'flex-end', flexWrap: 'nowrap' }}>
              <span class="inline-bar" style={{ width: `${Math.round((r.pages / max) * 60)}px` }} aria-hidden="true" />
              {formatNumber(r.pages)}
            </span>
          ),
        },
        {
          key: 'sleep',
          label: 'In sleep hours',
          numeric: true,
          sort: (r) => r.sleepPages,
          render: (r) => formatNumber(r.sleepPages),
        },
        {
          key: 'incidents',
          label: 'Incidents',
          numeric: true,
          sort: (r) => r.incidents,
          render: (r) => formatNumber(r.incidents),
        },
        {
          key: 'self',
          label: 'Resolved itself',
          numeric: true,
          optional: true,
          sort: (r) => r.autoResolved,
          render: (r) => formatNumber(r.autoResolved),
        },
        {
          key: 'flap',
          label: 'Flapping',
          numeric: true,
          optional: true,
          sort: (r) => r.flapping,
          render: (r) => formatNumber(r.flapping),
        },
        {
          key: 'noise',
          label: 'Noise',
          numeric: true,
          sort: (r) => r.noiseRatio,
          title: 'Share of its incidents that are non-actionable (a reviewer’s label, else the suggestion)',
          render: (r) =>
            r.noiseRatio !== null && r.noiseRatio >= 0.5 ? (
              <Badge kind="bad">{`${formatPercent(r.noiseRatio)} noise`}</Badge>
            ) : (
              formatPercent(r.noiseRatio)
            ),
        },
      ]}
    />
  );
}
