// How each kind of record is shown in a table: the columns, their units and alignment, and the
// links to a deployment's or an incident's own page. Shared by the records page and the lists
// embedded in the dashboard pages.
import type { DeploymentRecord, IncidentRecord, PageRecord, RecordKindName, ShiftRecord } from '../api/records.ts';
import type { TableColumn } from '../components/data-table.tsx';
import { Badge } from '../components/level-badge.tsx';
import { formatDateTime, formatDuration, formatNumber } from '../lib/format.ts';
import type { CatalogModel } from '../models/catalog.ts';

export type AnyRecord = DeploymentRecord | IncidentRecord | PageRecord | ShiftRecord;

const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : '–');

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function DeploymentFlags({
  d,
}: {
  d: Pick<DeploymentRecord, 'outcome' | 'rolledBack' | 'changeFailed' | 'isRollback' | 'isRework' | 'causedIncidents'>;
}) {
  return (
    <span class="row" style={{ gap: '4px' }}>
      {d.outcome !== 'success' ? <Badge kind="bad">{`Deploy ${d.outcome}`}</Badge> : null}
      {d.changeFailed ? (
        <Badge kind="bad" title="Caused an incident or was rolled back">
          Change failure
        </Badge>
      ) : null}
      {d.rolledBack ? <Badge kind="warn">Rolled back</Badge> : null}
      {d.isRollback ? <Badge kind="info">Rollback</Badge> : null}
      {d.isRework ? (
        <Badge kind="muted" title="Made while a change-caused incident was open">
          Rework
        </Badge>
      ) : null}
    </span>
  );
}

export function deploymentColumns(catalog: CatalogModel): TableColumn<DeploymentRecord>[] {
  const zone = catalog.timeZone;
  return [
    {
      key: 'time',
      label: 'Deployed',
      nowrap: true,
      sort: (d) => d.deployedAt ?? d.createdAt,
      render: (d) => <a href={`/deployments/${encodeURIComponent(d.id)}`}>{formatDateTime(d.deployedAt ?? d.createdAt, zone)}</a>,
    },
    {
      key: 'repo',
      label: 'Repository',
      nowrap: true,
      sort: (d) => d.repo,
      render: (d) => (
        <>
          <span class="cell-title">{d.repo}</span>
          <span class="cell-sub mono">
            {shortSha(d.sha)} · {d.environment}
          </span>
        </>
      ),
    },
    {
      key: 'flags',
      label: 'Outcome',
      render: (d) =>
        d.outcome === 'success' && !d.changeFailed && !d.rolledBack && !d.isRollback && !d.isRework ? (
          <span class="muted">Succeeded</span>
        ) : (
          <DeploymentFlags d={d} />
        ),
    },
    {
      key: 'changes',
      label: 'Changes',
      numeric: true,
      sort: (d) => d.changeCount ?? 0,
      render: (d) => formatNumber(d.changeCount),
    },
    {
      key: 'lead',
      label: 'Median lead time',
      numeric: true,
      sort: (d) => median(d.changes.map((c) => c.leadTimeSeconds).filter((v): v is number => v !== null)),
      render: (d) => formatDuration(median(d.changes.map((c) => c.leadTimeSeconds).filter((v): v is number => v !== null))),
    },
    {
      key: 'incidents',
      label: 'Incidents caused',
      render: (d) =>
        d.incidents.length === 0 ? (
          <span class="muted">none</span>
        ) : (
          d.incidents.map((i) => (
            <a key={i.id} href={`/incidents/${encodeURIComponent(i.id)}`} class="cell-sub" title={i.evidence ?? undefined}>
              {i.severity ? `${i.severity} · ` : ''}
              {i.title}
            </a>
          ))
        ),
    },
    { key: 'team', label: 'Team', optional: true, sort: (d) => d.team, render: (d) => catalog.teamName(d.team) },
  ];
}

const causeWords: Record<string, string> = {
  change_caused: 'Change-caused',
  not_change_caused: 'Not a change',
  unknown: 'Unknown',
};

export function CauseBadge({ cause, method }: { cause: string | null; method: string | null }) {
  if (!cause) return <span class="muted">–</span>;
  const kind = cause === 'change_caused' ? 'bad' : cause === 'unknown' ? 'muted' : 'ok';
  const how = method && method !== 'none' ? method.replace(/_/g, ' ') : undefined;
  return (
    <Badge kind={kind} title={how ? `Decided by: ${how}` : undefined}>
      {causeWords[cause] ?? cause}
    </Badge>
  );
}

export function incidentColumns(catalog: CatalogModel): TableColumn<IncidentRecord>[] {
  const zone = catalog.timeZone;
  return [
    {
      key: 'title',
      label: 'Incident',
      minWidth: '20rem',
      sort: (i) => i.title.toLowerCase(),
      render: (i) => (
        <>
          <a href={`/incidents/${encodeURIComponent(i.id)}`} class="cell-title">
            {i.number ? `#${i.number} ` : ''}
            {i.title}
          </a>
          <span class="cell-sub">
            {i.service.name ?? i.service.id} · {catalog.teamName(i.team)}
          </span>
        </>
      ),
    },
    { key: 'severity', label: 'Severity', sort: (i) => i.severity, render: (i) => i.severity ?? '–' },
    {
      key: 'created',
      label: 'Created',
      nowrap: true,
      sort: (i) => i.createdAt,
      render: (i) => formatDateTime(i.createdAt, zone),
    },
    {
      key: 'ack',
      label: 'To acknowledge',
      numeric: true,
      sort: (i) => i.timeToAcknowledgeSeconds,
      render: (i) =>
        i.timeToAcknowledgeSeconds === null ? <span class="muted">never</span> : formatDuration(i.timeToAcknowledgeSeconds),
    },
    {
      key: 'resolve',
      label: 'To resolve',
      numeric: true,
      sort: (i) => i.timeToResolveSeconds,
      render: (i) => (
        <span class="row" style={{ justifyContent: 'flex-end', gap: '4px' }}>
          {i.overdue ? (
            <Badge kind="bad" title={`Target ${formatDuration(i.targetSeconds)}`}>
              Overdue
            </Badge>
          ) : null}
          {i.resolvedAt === null ? <span class="muted">open</span> : formatDuration(i.timeToResolveSeconds)}
        </span>
      ),
    },
    {
      key: 'cause',
      label: 'Cause',
      sort: (i) => i.attribution.cause,
      render: (i) => (
        <>
          <CauseBadge cause={i.attribution.cause} method={i.attribution.method} />
          {i.attribution.deploymentId ? (
            <a class="cell-sub" href={`/deployments/${encodeURIComponent(i.attribution.deploymentId)}`}>
              {i.attribution.repo ?? 'deployment'} →
            </a>
          ) : null}
        </>
      ),
    },
    {
      key: 'detection',
      label: 'Detected by',
      optional: true,
      sort: (i) => i.detection,
      render: (i) => (i.detection === 'human' ? <Badge kind="warn">a person</Badge> : (i.detection ?? '–')),
    },
    {
      key: 'label',
      label: 'Label',
      optional: true,
      render: (i) =>
        i.label.label ? (
          <span title={i.label.suggestionText ?? undefined}>
            {i.label.label === 'actionable' ? 'Actionable' : 'Noise'}
            <span class="cell-sub">{i.label.source === 'human' ? `by ${i.label.labelledBy ?? 'a reviewer'}` : 'suggested'}</span>
          </span>
        ) : (
          '–'
        ),
    },
  ];
}

const hourWords: Record<string, string> = { business: 'Business', off: 'Off hours', sleep: 'Sleep hours' };

export function pageColumns(catalog: CatalogModel): TableColumn<PageRecord>[] {
  return [
    {
      key: 'time',
      label: 'Local time',
      sort: (p) => p.startedAt,
      render: (p) => (
        <>
          <span>{p.localTime ? p.localTime.slice(0, 16).replace('T', ' ') : '–'}</span>
          <span class="cell-sub">{p.zone ?? ''}</span>
        </>
      ),
    },
    { key: 'person', label: 'Person', sort: (p) => p.userName ?? p.userId, render: (p) => p.userName ?? p.userId },
    {
      key: 'hour',
      label: 'Hours',
      sort: (p) => p.hourClass,
      render: (p) =>
        p.hourClass === 'sleep' ? (
          <Badge kind="bad">☾ Sleep hours</Badge>
        ) : p.hourClass === 'off' ? (
          <Badge kind="warn">Off hours</Badge>
        ) : (
          <span class="muted">{hourWords[p.hourClass ?? ''] ?? '–'}</span>
        ),
    },
    {
      key: 'incident',
      label: 'Incident',
      minWidth: '18rem',
      render: (p) =>
        p.incidentId ? (
          <>
            <a href={`/incidents/${encodeURIComponent(p.incidentId)}`}>{p.incidentTitle ?? p.incidentId}</a>
            <span class="cell-sub">
              {p.severity ?? ''} · {catalog.serviceName(p.serviceId)}
            </span>
          </>
        ) : (
          <span class="muted">not linked</span>
        ),
    },
    { key: 'type', label: 'Channel', optional: true, render: (p) => p.type },
    { key: 'interruption', label: 'New interruption', optional: true, render: (p) => (p.interruptionStart ? 'yes' : 'no') },
    { key: 'oncall', label: 'On call', optional: true, render: (p) => (p.onCall ? 'yes' : 'no') },
    {
      key: 'label',
      label: 'Label',
      optional: true,
      render: (p) =>
        p.label ? `${p.label === 'actionable' ? 'Actionable' : 'Noise'}${p.labelSource === 'human' ? '' : ' (suggested)'}` : '–',
    },
  ];
}

export function shiftColumns(catalog: CatalogModel): TableColumn<ShiftRecord>[] {
  return [
    { key: 'person', label: 'Person', sort: (s) => s.userName ?? s.userId, render: (s) => s.userName ?? s.userId },
    {
      key: 'schedule',
      label: 'Schedule',
      sort: (s) => s.scheduleName ?? s.scheduleId,
      render: (s) => s.scheduleName ?? s.scheduleId,
    },
    { key: 'team', label: 'Team', sort: (s) => s.team, render: (s) => catalog.teamName(s.team) },
    {
      key: 'start',
      label: 'Start (local)',
      sort: (s) => s.startAt,
      render: (s) => (s.localStart ?? s.startAt).slice(0, 16).replace('T', ' '),
    },
    {
      key: 'end',
      label: 'End (local)',
      sort: (s) => s.endAt,
      render: (s) => (s.localEnd ?? s.endAt).slice(0, 16).replace('T', ' '),
    },
    {
      key: 'hours',
      label: 'Hours in range',
      numeric: true,
      sort: (s) => s.hoursInRange,
      render: (s) => formatNumber(s.hoursInRange, 1),
    },
    { key: 'level', label: 'Level', numeric: true, optional: true, render: (s) => formatNumber(s.escalationLevel) },
  ];
}

export function columnsFor(kind: RecordKindName, catalog: CatalogModel): TableColumn<AnyRecord>[] {
  switch (kind) {
    case 'deployments':
      return deploymentColumns(catalog) as TableColumn<AnyRecord>[];
    case 'incidents':
      return incidentColumns(catalog) as TableColumn<AnyRecord>[];
    case 'pages':
      return pageColumns(catalog) as TableColumn<AnyRecord>[];
    default:
      return shiftColumns(catalog) as TableColumn<AnyRecord>[];
  }
}
