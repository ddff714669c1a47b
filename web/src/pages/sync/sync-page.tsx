// Sync and health: is the data fresh, what is running now (per repository or account, with its
// stream and counts), when the next scheduled sync is, what the last runs did and why one failed,
// and a "Sync now" button. Polls while a sync runs and refreshes the dashboards when it ends.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../../api/client.ts';
import type { Health, ProgressSnapshot, SyncRunSummary, SyncStatus } from '../../api/types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Card, Grid, Page, Section } from '../../components/layout.tsx';
import { Badge } from '../../components/level-badge.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { formatAgo, formatDateTime, formatDuration, formatNumber } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { toFailure } from '../../models/data.ts';

const sources = [
  { id: 'github', name: 'GitHub', what: 'deployments, commits, pull requests' },
  { id: 'pagerduty', name: 'PagerDuty', what: 'incidents, log entries, alerts, pages, on-call shifts' },
] as const;

const statusKind: Record<string, 'ok' | 'bad' | 'warn' | 'info' | 'muted'> = {
  succeeded: 'ok',
  failed: 'bad',
  partial: 'warn',
  interrupted: 'warn',
  running: 'info',
};

function duration(run: SyncRunSummary): string {
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  return formatDuration((end - Date.parse(run.startedAt)) / 1000);
}

const stateOrder: Record<string, number> = { running: 0, failed: 1, pending: 2, done: 3 };
const SHOWN_SCOPES = 8;

function Progress({ progress }: { progress: ProgressSnapshot }) {
  const done = progress.scopes.filter((s) => s.state === 'done' || s.state === 'failed').length;
  // What is happening now first; a long tail of pending or finished scopes is summarised.
  const ordered = [...progress.scopes].sort((a, b) => (stateOrder[a.state] ?? 9) - (stateOrder[b.state] ?? 9));
  const shown = ordered.slice(0, SHOWN_SCOPES);
  const hidden = ordered.slice(SHOWN_SCOPES);
  const share = progress.scopes.length ? done / progress.scopes.length : 0;
  return (
    <div class="stack" data-testid={`progress-${progress.source}`} style={{ marginBottom: 'var(--s3)' }}>
      <div class="row spread">
        <span>
          {formatNumber(done)} of {formatNumber(progress.scopes.length)} {progress.scopes.length === 1 ? 'scope' : 'scopes'} done
          · {formatNumber(progress.requests)} requests · {formatNumber(progress.recordsWritten)} records written
        </span>
        <span class="muted">started {formatAgo(progress.startedAt)}</span>
      </div>
      <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </div>
      <DataTable
        dense
        rows={shown}
        rowKey={(s) => s.scope}
        columns={[
          { key: 'scope', label: 'Scope', render: (s) => <span class="mono nowrap">{s.scope}</span> },
          {
            key: 'state',
            label: 'State',
            render: (s) => (
              <Badge kind={s.state === 'done' ? 'ok' : s.state === 'failed' ? 'bad' : s.state === 'running' ? 'info' : 'muted'}>
                {s.state}
              </Badge>
            ),
          },
          { key: 'stream', label: 'Stream', render: (s) => s.stream ?? '–' },
          { key: 'records', label: 'Records', numeric: true, render: (s) => formatNumber(s.records) },
          { key: 'requests', label: 'Requests', numeric: true, render: (s) => formatNumber(s.requests) },
          {
            key: 'errors',
            label: 'Errors',
            numeric: true,
            render: (s) => (s.errors ? <strong>{formatNumber(s.errors)}</strong> : '0'),
          },
        ]}
      />
      {hidden.length > 0 ? (
        <p class="muted" style={{ margin: 0, fontSize: '0.85rem' }}>
          and {formatNumber(hidden.length)} more: {formatNumber(hidden.filter((s) => s.state === 'pending').length)} waiting,{' '}
          {formatNumber(hidden.filter((s) => s.state === 'done').length)} done.
        </p>
      ) : null}
      {progress.scopes.some((s) => s.message) ? (
        <ul class="notes">
          {progress.scopes
            .filter((s) => s.message)
            .map((s) => (
              <li key={s.scope}>
                {s.scope}: {s.message}
              </li>
            ))}
        </ul>
      ) : null}
    </div>
  );
}

function SourceCard({ source, status }: { source: (typeof sources)[number]; status: SyncStatus }) {
  const { catalog } = useApp();
  const zone = catalog.timeZone;
  const running = status.running.find((r) => r.source === source.id);
  const last = status.lastRuns[source.id];
  const progress = status.progress[source.id] as ProgressSnapshot | undefined;
  const schedule = status.schedule[source.id];
  const shown = running ?? last;
  return (
    <Card
      id={`sync-${source.id}`}
      title={source.name}
      explanation={source.what}
      badges={
        running ? (
          <Badge kind="info">Running</Badge>
        ) : last ? (
          <Badge kind={statusKind[last.status] ?? 'muted'}>{last.status}</Badge>
        ) : (
          <Badge kind="muted">Never synced</Badge>
        )
      }
    >
      {running && progress ? <Progress progress={progress} /> : null}
      {shown ? (
        <dl class="facts">
          <div>
            <dt>{running ? 'Started' : 'Last run'}</dt>
            <dd>
              {formatDateTime(shown.startedAt, zone)} <span class="muted">({formatAgo(shown.startedAt)})</span>
            </dd>
          </div>
          <div>
            <dt>Took</dt>
            <dd>{duration(shown)}</dd>
          </div>
          <div>
            <dt>Requests</dt>
            <dd>{formatNumber(shown.requests)}</dd>
          </div>
          <div>
            <dt>Records written</dt>
            <dd>{formatNumber(shown.recordsWritten)}</dd>
          </div>
          <div>
            <dt>Bad records</dt>
            <dd>{formatNumber(shown.badRecords)}</dd>
          </div>
          <div>
            <dt>Rate limit left</dt>
            <dd>
              {shown.rateLimitRemaining === null ? '–' : formatNumber(shown.rateLimitRemaining)}
              {shown.rateLimitResetAt ? (
                <span class="muted"> (resets {formatDateTime(shown.rateLimitResetAt, zone)})</span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>Next scheduled</dt>
            <dd>{schedule?.nextRunAt ? `${formatDateTime(schedule.nextRunAt, zone)} (${schedule.cron})` : 'not scheduled'}</dd>
          </div>
        </dl>
      ) : (
        <p class="muted">
          No {source.name} sync has run. Press <strong>Sync now</strong>, or check that {source.name} is configured (token and
          mapping).
        </p>
      )}
      {shown?.error ? (
        <p class="callout callout-warn" role="alert">
          {shown.error}
        </p>
      ) : null}
    </Card>
  );
}

export default function SyncPage() {
  const { api, data, catalog } = useApp();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const wasRunning = useRef(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const [s, h] = await Promise.all([api.get<SyncStatus>(api.paths.syncStatus), api.get<Health>(api.paths.health)]);
        if (stopped) return;
        setStatus(s);
        setHealth(h);
        setError(null);
        const running = s.running.length > 0;
        if (wasRunning.current && !running) {
          // A sync just ended: every dashboard's numbers may have changed.
          data.invalidate();
          void catalog.load();
        }
        wasRunning.current = running;
        timer = setTimeout(poll, running ? 1500 : 15_000);
      } catch (e) {
        if (stopped) return;
        setError(toFailure(e));
        timer = setTimeout(poll, 15_000);
      }
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, data, catalog, tick]);

  const syncNow = async () => {
    setStarting(true);
    setMessage(null);
    try {
      const r = await api.send<{ started: string[]; alreadyRunning: string[]; unavailable: string[] }>('POST', api.paths.sync);
      const names = (list: string[]) => list.map((id) => sources.find((s) => s.id === id)?.name ?? id).join(' and ');
      const parts = [
        r.started.length ? `Started ${names(r.started)}.` : '',
        r.alreadyRunning.length ? `${names(r.alreadyRunning)} already running.` : '',
        r.unavailable.length ? `${names(r.unavailable)} not configured.` : '',
      ];
      setMessage({ ok: true, text: parts.filter(Boolean).join(' ') });
      setTick((t) => t + 1);
    } catch (e) {
      const f = toFailure(e);
      setMessage({ ok: false, text: `${f.message} ${f.hint ?? ''}` });
    } finally {
      setStarting(false);
    }
  };

  const running = (status?.running.length ?? 0) > 0;
  return (
    <Page
      title="Sync & health"
      subtitle="Where the numbers come from: the GitHub and PagerDuty syncs, their progress and their last results."
      actions={
        <button
          type="button"
          class="button button-primary"
          disabled={starting || running || !status}
          onClick={() => void syncNow()}
          data-action="sync-now"
        >
          {running ? 'Syncing…' : starting ? 'Starting…' : 'Sync now'}
        </button>
      }
    >
      {message ? (
        <p class={`callout ${message.ok ? 'callout-info' : 'callout-warn'}`} role="status">
          {message.text}
        </p>
      ) : null}
      {error && !status ? <ErrorState error={error} onRetry={() => setTick((t) => t + 1)} /> : null}
      {!status && !error ? <Loading height={240} /> : null}
      {status ? (
        <>
          <Grid min={30}>
            {sources.map((s) => (
              <SourceCard key={s.id} source={s} status={status} />
            ))}
          </Grid>
          <Section title="Recent runs" description="Newest first; a failed or partial run says why.">
            <div class="card">
              <DataTable<SyncRunSummary>
                testId="recent-runs"
                rows={status.recent}
                rowKey={(r) => String(r.id)}
                empty="No sync has run yet."
                columns={[
                  { key: 'id', label: 'Run', numeric: true, render: (r) => `#${r.id}` },
                  { key: 'source', label: 'Source', render: (r) => (r.source === 'github' ? 'GitHub' : 'PagerDuty') },
                  { key: 'trigger', label: 'Trigger', optional: true, render: (r) => r.trigger },
                  {
                    key: 'status',
                    label: 'Status',
                    render: (r) => <Badge kind={statusKind[r.status] ?? 'muted'}>{r.status}</Badge>,
                  },
                  { key: 'started', label: 'Started', render: (r) => formatDateTime(r.startedAt, catalog.timeZone) },
                  { key: 'took', label: 'Took', numeric: true, render: (r) => duration(r) },
                  { key: 'requests', label: 'Requests', numeric: true, render: (r) => formatNumber(r.requests) },
                  { key: 'records', label: 'Records', numeric: true, render: (r) => formatNumber(r.recordsWritten) },
                  { key: 'error', label: 'Error', render: (r) => (r.error ? <span class="cell-sub">{r.error}</span> : '–') },
                ]}
              />
            </div>
          </Section>
        </>
      ) : null}
      {health ? (
        <Section title="Server">
          <div class="card">
            <dl class="facts">
              <div>
                <dt>Status</dt>
                <dd>{health.status}</dd>
              </div>
              <div>
                <dt>Version</dt>
                <dd>{health.version}</dd>
              </div>
              <div>
                <dt>Schema</dt>
                <dd>{health.schemaVersion}</dd>
              </div>
              <div>
                <dt>Data version</dt>
                <dd>{health.dataVersion}</dd>
              </div>
              <div>
                <dt>Time zone</dt>
                <dd>{catalog.timeZone}</dd>
              </div>
            </dl>
          </div>
        </Section>
      ) : null}
    </Page>
  );
}
