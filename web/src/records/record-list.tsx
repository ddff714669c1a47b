// A list of records (deployments, incidents, pages, on-call shifts) for a query: the first page
// from the cache, more pages on demand ("Show more", the API's cursor), incidents expandable to
// their timeline, and the CSV of every matching record from the server.
import { useEffect, useState } from 'preact/hooks';
import type { Query } from '../api/client.ts';
import type { IncidentRecord, RecordKindName, RecordPage } from '../api/records.ts';
import { DataTable } from '../components/data-table.tsx';
import { EmptyState, ErrorState, Loading } from '../components/states.tsx';
import { formatNumber } from '../lib/format.ts';
import { useApp } from '../models/app-model.ts';
import { toFailure } from '../models/data.ts';
import { useResource } from '../models/use-resource.ts';
import { type AnyRecord, columnsFor } from './record-columns.tsx';
import { Timeline } from './timeline.tsx';

export interface RecordListProps {
  kind: RecordKindName;
  query: Query;
  limit?: number;
  /** What to say when nothing matches. */
  empty?: string;
  testId?: string;
  /** Hide the CSV link (when the page shows one already). */
  noCsv?: boolean;
}

const nouns: Record<RecordKindName, string> = {
  deployments: 'deployments',
  incidents: 'incidents',
  pages: 'pages',
  'oncall-shifts': 'on-call shifts',
};

export function RecordList({ kind, query, limit = 25, empty, testId, noCsv }: RecordListProps) {
  const { api, catalog, data, router } = useApp();
  const url = api.recordsUrl(kind, { ...query, limit });
  const first = useResource<RecordPage<AnyRecord>>(url);
  const [more, setMore] = useState<{ items: AnyRecord[]; cursor: string | null; loading: boolean; error: string | null }>({
    items: [],
    cursor: null,
    loading: false,
    error: null,
  });
  useEffect(() => setMore({ items: [], cursor: null, loading: false, error: null }), [url]);

  if (!first || (first.status === 'loading' && !first.data)) return <Loading height={120} />;
  if (first.status === 'error' && !first.data) {
    return (
      <ErrorState
        error={first.error}
        onRetry={() => data.retry(url)}
        onClearFilters={() => router.setParams({ team: null, service: null, repo: null, severity: null, from: null, to: null })}
      />
    );
  }
  const page = first.data as RecordPage<AnyRecord>;
  const items = [...page.items, ...more.items];
  const cursor = more.items.length > 0 ? more.cursor : page.nextCursor;
  const loadMore = async () => {
    if (!cursor) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    try {
      const next = await api.get<RecordPage<AnyRecord>>(api.recordsUrl(kind, { ...query, limit, cursor }));
      setMore((m) => ({ items: [...m.items, ...next.items], cursor: next.nextCursor, loading: false, error: null }));
    } catch (error) {
      const f = toFailure(error);
      setMore((m) => ({ ...m, loading: false, error: `${f.message} ${f.hint ?? ''}` }));
    }
  };
  if (items.length === 0) {
    return (
      <EmptyState title={empty ?? `No ${nouns[kind]} match these filters.`}>Try a longer range or fewer filters.</EmptyState>
    );
  }
  return (
    <div class="stack" data-records={kind}>
      <DataTable<AnyRecord>
        columns={columnsFor(kind, catalog)}
        rows={items}
        rowKey={(r) => r.id}
        testId={testId ?? `records-${kind}`}
        {...(kind === 'incidents'
          ? { expand: (r: AnyRecord) => <Timeline entries={(r as IncidentRecord).timeline ?? []} zone={catalog.timeZone} /> }
          : {})}
      />
      <div class="row spread">
        <span class="muted" style={{ fontSize: '0.85rem' }}>
          {formatNumber(items.length)} shown{cursor ? ', more match' : ''}.
        </span>
        <span class="row">
          {cursor ? (
            <button type="button" class="button button-small" disabled={more.loading} onClick={() => void loadMore()}>
              {more.loading ? 'Loading…' : `Show ${limit} more`}
            </button>
          ) : null}
          {noCsv ? null : (
            <a class="button button-small" href={api.recordsUrl(kind, query, true)} download>
              CSV of all
            </a>
          )}
        </span>
      </div>
      {more.error ? <p class="state-error">{more.error}</p> : null}
    </div>
  );
}
