// One incident: its times against the severity's target, how it was detected and escalated, what
// caused it (with the evidence, and the reviewer's controls), its full timeline, alerts and pages.
import type { IncidentDetail } from '../../api/records.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Card, Figure, Figures, Grid, Page } from '../../components/layout.tsx';
import { Badge } from '../../components/level-badge.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { formatDateTime, formatDuration, formatNumber } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { useResource } from '../../models/use-resource.ts';
import { Timeline } from '../../records/timeline.tsx';
import type { PageProps } from '../../routes.ts';
import { AttributionCard } from './attribution-card.tsx';

export default function IncidentPage({ params }: PageProps) {
  const { api, catalog, data } = useApp();
  const url = api.incidentUrl(params.id ?? '');
  const resource = useResource<IncidentDetail>(url);
  const zone = catalog.timeZone;
  const i = resource?.data;
  if (!resource || (resource.status === 'loading' && !i)) return <Loading height={400} />;
  if (resource.status === 'error' && !i) {
    return (
      <Page title="Incident" subtitle={<a href="/incidents">← Incidents</a>}>
        <ErrorState error={resource.error} onRetry={() => data.retry(url)} />
      </Page>
    );
  }
  if (!i) return null;
  const over = (s: number | null) => i.targetSeconds !== null && s !== null && s > i.targetSeconds;
  return (
    <Page
      title={`${i.number ? `#${i.number} ` : ''}${i.title}`}
      subtitle={
        <>
          <a href="/incidents">Incidents</a> · {i.service.name ?? i.service.id} · {catalog.teamName(i.team)}
          {i.url ? (
            <>
              {' '}
              ·{' '}
              <a href={i.url} target="_blank" rel="noreferrer">
                Open in PagerDuty ↗
              </a>
            </>
          ) : null}
        </>
      }
      actions={
        <span class="row">
          {i.severity ? <Badge kind="info">{i.severity}</Badge> : null}
          <Badge kind={i.resolvedAt ? 'ok' : 'warn'}>{i.resolvedAt ? 'Resolved' : i.status}</Badge>
          {i.overdue ? <Badge kind="bad">Overdue</Badge> : null}
          {i.detection === 'human' ? <Badge kind="warn">Reported by a person</Badge> : null}
        </span>
      }
    >
      <Figures>
        <Figure
          label="Created"
          compact
          value={formatDateTime(i.createdAt, zone)}
          context={`priority ${i.priority ?? 'none'}, ${i.urgency ?? ''} urgency`}
        />
        <Figure
          label="To acknowledge"
          value={i.timeToAcknowledgeSeconds === null ? 'never' : formatDuration(i.timeToAcknowledgeSeconds)}
          context={i.acknowledgedAt ? formatDateTime(i.acknowledgedAt, zone) : 'no acknowledge entry'}
        />
        <Figure
          label="To resolve"
          value={i.resolvedAt ? formatDuration(i.timeToResolveSeconds) : 'open'}
          context={`target ${i.targetSeconds ? formatDuration(i.targetSeconds) : 'none'}${over(i.timeToResolveSeconds) ? ' · missed' : ''}`}
          {...(over(i.timeToResolveSeconds) ? { tone: 'bad' as const } : {})}
        />
        <Figure
          label="To detect"
          value={i.timeToDetectSeconds === null ? 'unknown' : formatDuration(i.timeToDetectSeconds)}
          context={
            i.impactStart
              ? `impact from ${formatDateTime(i.impactStart, zone)} (${i.impactSource ?? ''})`
              : 'impact start unknown'
          }
        />
        <Figure label="To restore" value={formatDuration(i.timeToRestoreSeconds)} context="resolved minus impact start" />
        <Figure
          label="Escalations"
          value={formatNumber(i.escalations ?? 0)}
          context={`${i.priorityRaised ? 'priority raised · ' : ''}${formatNumber(i.alertCount)} alerts`}
        />
      </Figures>
      <Grid>
        <Card
          title="Cause"
          explanation="Which deployment, if any, caused it, and why Vigil thinks so."
          definition="change-failure-rate"
        >
          <AttributionCard incident={i} />
        </Card>
        <Card
          title="Noise"
          explanation="Whether the page was worth it: a reviewer's label wins over the suggestion."
          definition="false-positive-ratio"
        >
          <dl class="facts">
            <div>
              <dt>Label</dt>
              <dd>
                {i.label.label === 'non_actionable' ? 'Non-actionable' : i.label.label === 'actionable' ? 'Actionable' : '–'}
              </dd>
            </div>
            <div>
              <dt>Source</dt>
              <dd>{i.label.source === 'human' ? `Reviewer ${i.label.labelledBy ?? ''}` : 'Suggested'}</dd>
            </div>
            <div>
              <dt>Why</dt>
              <dd>{i.label.reason?.replace(/_/g, ' ') ?? i.label.suggestionText ?? '–'}</dd>
            </div>
            <div>
              <dt>Alert rule</dt>
              <dd>
                {i.rule.signature ? (
                  <a
                    href={`/records/incidents?rule=${encodeURIComponent(i.rule.signature)}&range=365d&title=${encodeURIComponent(`Incidents of “${i.rule.title ?? ''}”`)}`}
                  >
                    {i.rule.title}
                  </a>
                ) : (
                  '–'
                )}
              </dd>
            </div>
          </dl>
        </Card>
        <Card title="Timeline" explanation="Every log entry, oldest first." wide>
          {i.description ? <p class="description">{i.description}</p> : null}
          <Timeline entries={i.logEntries} zone={zone} />
        </Card>
        <Card title="Pages" explanation="Who was interrupted, in their own time zone.">
          <DataTable
            dense
            columns={[
              { key: 'who', label: 'Person', render: (p) => p.userName ?? p.userId },
              {
                key: 'when',
                label: 'Sent (their time)',
                render: (p) => (
                  <>
                    {formatDateTime(p.startedAt, p.zone ?? zone)}
                    <span class="cell-sub">{p.zone ?? zone}</span>
                  </>
                ),
              },
              { key: 'type', label: 'Channel', render: (p) => p.type },
              {
                key: 'hours',
                label: 'Hours',
                render: (p) =>
                  p.hourClass === 'sleep' ? (
                    <Badge kind="bad">☾ Sleep</Badge>
                  ) : p.hourClass === 'off' ? (
                    <Badge kind="warn">Off hours</Badge>
                  ) : (
                    'Business'
                  ),
              },
            ]}
            rows={i.pages}
            rowKey={(p) => p.id}
            empty="Nobody was paged."
          />
        </Card>
        <Card title="Alerts" explanation="The alerts grouped into this incident.">
          <DataTable
            dense
            columns={[
              { key: 'at', label: 'Created', render: (a) => formatDateTime(a.createdAt, zone) },
              { key: 'summary', label: 'Summary', render: (a) => a.summary ?? '–' },
              { key: 'status', label: 'Status', render: (a) => a.status },
            ]}
            rows={i.alerts}
            rowKey={(a) => a.id}
            empty="No alerts (triggered by a person or the API)."
          />
        </Card>
      </Grid>
    </Page>
  );
}
