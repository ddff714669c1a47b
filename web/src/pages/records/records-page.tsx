// The records behind a number: where every drill-down lands. The URL carries the same filters as
// the chart (range, team, service, repository, severity, and the record kind's own, such as
// changeFailed or hour), so the list is exactly what the point counted; CSV of all of it.
import type { Query } from '../../api/client.ts';
import type { RecordKindName } from '../../api/records.ts';
import { Page } from '../../components/layout.tsx';
import { formatDate } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { RecordList } from '../../records/record-list.tsx';
import type { PageProps } from '../../routes.ts';

const kinds: Record<RecordKindName, string> = {
  deployments: 'Deployments',
  incidents: 'Incidents',
  pages: 'Pages',
  'oncall-shifts': 'On-call shifts',
};

const paramWords: Record<string, (v: string) => string> = {
  changeFailed: (v) => (v === 'true' ? 'change failures only' : 'no change failures'),
  outcome: (v) => `outcome ${v}`,
  cause: (v) => v.replace(/_/g, ' '),
  overdue: (v) => (v === 'true' ? 'overdue' : 'not overdue'),
  escalated: (v) => (v === 'true' ? 'escalated' : 'never escalated'),
  hourClass: (v) => `${v} hours`,
  weekday: (v) => ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'][Number(v) - 1] ?? v,
  hour: (v) => `${v.padStart(2, '0')}:00–${String((Number(v) + 1) % 24).padStart(2, '0')}:00 local`,
  status: (v) => v,
  label: (v) => v.replace(/_/g, '-'),
};

export default function RecordsPage({ params }: PageProps) {
  const { router, filters, catalog, api } = useApp();
  const kind = params.kind as RecordKindName;
  const search = router.params.value;
  const state = filters.state.value;
  if (!(kind in kinds)) {
    return (
      <Page title="No such records" subtitle={<>Records are deployments, incidents, pages or on-call shifts.</>}>
        <a href="/">Back to the overview</a>
      </Page>
    );
  }
  const query: Query = { from: state.from, to: state.to };
  const described: string[] = [];
  for (const key of new Set(search.keys())) {
    if (['title', 'range', 'from', 'to', 'grain', 'groupBy', 'compare', 'thresholds'].includes(key)) continue;
    const values = search.getAll(key);
    // The shared filters repeat; a record kind's own parameters (person, schedule) take one value, comma-separated.
    query[key] = ['team', 'service', 'repo', 'severity'].includes(key) ? values : values.join(',');
    const shown = values.map((v) =>
      key === 'team'
        ? catalog.teamName(v)
        : key === 'service'
          ? catalog.serviceName(v)
          : key === 'person'
            ? v
                .split(',')
                .map((p) => catalog.personName(p))
                .join(', ')
            : v,
    );
    const word = paramWords[key];
    described.push(word ? shown.map(word).join(', ') : `${key}: ${shown.join(', ')}`);
  }
  const title = search.get('title') ?? kinds[kind];
  return (
    <Page
      title={title}
      subtitle={
        <>
          {formatDate(state.from)} – {formatDate(state.to)}
          {described.length ? ` · ${described.join(' · ')}` : ''}
        </>
      }
      actions={
        <>
          <button type="button" class="button" onClick={() => history.back()}>
            ← Back
          </button>
          <a class="button" href={api.recordsUrl(kind, query, true)} download>
            Download CSV
          </a>
        </>
      }
    >
      <div class="card">
        <RecordList kind={kind} query={query} limit={100} noCsv testId="records" />
      </div>
    </Page>
  );
}
