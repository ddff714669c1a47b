// One deployment: what it shipped (changes with their lead times, pull requests, commits), how it
// went (statuses, rollback, change failure, rework) and the incidents it caused with the
// evidence, where a reviewer can link or unlink incidents by hand.
import type { DeploymentDetail } from '../../api/records.ts';
import { DataTable } from '../../components/data-table.tsx';
import { Card, Grid, Page } from '../../components/layout.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { formatDateTime, formatDuration, formatNumber } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { useResource } from '../../models/use-resource.ts';
import { DeploymentFlags } from '../../records/record-columns.tsx';
import type { PageProps } from '../../routes.ts';
import { IncidentLinks } from './incident-links.tsx';

export default function DeploymentPage({ params }: PageProps) {
  const { api, catalog, data } = useApp();
  const url = api.deploymentUrl(params.id ?? '');
  const resource = useResource<DeploymentDetail>(url);
  const zone = catalog.timeZone;
  const d = resource?.data;
  if (!resource || (resource.status === 'loading' && !d)) return <Loading height={400} />;
  if (resource.status === 'error' && !d) {
    return (
      <Page title="Deployment" subtitle={<a href="/deployments">← Deployments</a>}>
        <ErrorState error={resource.error} onRetry={() => data.retry(url)} />
      </Page>
    );
  }
  if (!d) return null;
  const changeLeads = d.changes.map((c) => c.leadTimeSeconds).filter((v): v is number => v !== null);
  return (
    <Page
      title={`${d.repo} @ ${d.sha.slice(0, 7)}`}
      subtitle={
        <>
          <a href="/deployments">Deployments</a> · {d.environment} · {formatDateTime(d.deployedAt ?? d.createdAt, zone)}
          {d.creator ? ` by ${d.creator}` : ''} · {catalog.teamName(d.team)}
        </>
      }
      actions={<DeploymentFlags d={d} />}
    >
      <Card title="Facts" wide>
        <dl class="facts">
          <div>
            <dt>Outcome</dt>
            <dd>{d.outcome}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDateTime(d.createdAt, zone)}</dd>
          </div>
          <div>
            <dt>Succeeded</dt>
            <dd>{formatDateTime(d.deployedAt, zone)}</dd>
          </div>
          <div>
            <dt>Ref and SHA</dt>
            <dd class="mono">
              {d.ref ?? '–'} · {d.sha.slice(0, 12)}
            </dd>
          </div>
          <div>
            <dt>Previous deployment</dt>
            <dd>
              {d.previousId ? (
                <a href={`/deployments/${encodeURIComponent(d.previousId)}`}>
                  {d.baseSha ? d.baseSha.slice(0, 7) : d.previousId}
                </a>
              ) : (
                'none (first)'
              )}
            </dd>
          </div>
          <div>
            <dt>Next deployment</dt>
            <dd>{d.nextId ? <a href={`/deployments/${encodeURIComponent(d.nextId)}`}>{d.nextId}</a> : 'none yet'}</dd>
          </div>
          <div>
            <dt>Changes</dt>
            <dd>
              {formatNumber(d.changes.length)} ({formatNumber(d.totalCommits ?? d.commits.length)} commits)
            </dd>
          </div>
          <div>
            <dt>Median lead time</dt>
            <dd>
              {formatDuration(
                changeLeads.length ? [...changeLeads].sort((a, b) => a - b)[Math.floor(changeLeads.length / 2)] : null,
              )}
            </dd>
          </div>
          {d.rollbackId ? (
            <div>
              <dt>Rolled back by</dt>
              <dd>
                <a href={`/deployments/${encodeURIComponent(d.rollbackId)}`}>{d.rollbackId}</a>
              </dd>
            </div>
          ) : null}
          {d.reworkIncidentId ? (
            <div>
              <dt>Rework during</dt>
              <dd>
                <a href={`/incidents/${encodeURIComponent(d.reworkIncidentId)}`}>{d.reworkIncidentId}</a>
              </dd>
            </div>
          ) : null}
        </dl>
      </Card>
      <Card
        id="linked-incidents"
        title="Incidents caused"
        explanation="Attributed by a named commit or deployment, a reviewer, or the time window; the evidence says which."
        definition="change-failure-rate"
        wide
      >
        <IncidentLinks deployment={d} />
      </Card>
      <Grid>
        <Card
          title="Changes"
          explanation="Each change counts once, for the deployment that first shipped it."
          definition="lead-time"
          wide
        >
          <DataTable
            columns={[
              {
                key: 'change',
                label: 'Change',
                render: (c) => (
                  <>
                    <span class="cell-title">
                      {c.kind === 'pull_request' ? `#${c.prNumber}` : <span class="mono">{c.sha?.slice(0, 7)}</span>}
                    </span>{' '}
                    {c.title ?? ''}
                  </>
                ),
              },
              { key: 'author', label: 'Author', render: (c) => c.author ?? '–' },
              {
                key: 'first',
                label: 'First commit',
                sort: (c) => c.firstCommitAt,
                render: (c) => formatDateTime(c.firstCommitAt, zone),
              },
              { key: 'commits', label: 'Commits', numeric: true, render: (c) => formatNumber(c.commitCount) },
              {
                key: 'lead',
                label: 'Lead time',
                numeric: true,
                sort: (c) => c.leadTimeSeconds,
                render: (c) => formatDuration(c.leadTimeSeconds),
              },
            ]}
            rows={d.changes}
            rowKey={(c) => c.key}
            empty="No change first shipped here (the first deployment of a repository has no base, and a re-deploy ships nothing new)."
          />
        </Card>
        <Card title="Pull requests">
          <DataTable
            columns={[
              {
                key: 'n',
                label: 'Pull request',
                render: (p) => (
                  <span>
                    <strong>#{p.number}</strong> {p.title ?? ''}
                  </span>
                ),
              },
              { key: 'author', label: 'Author', render: (p) => p.author ?? '–' },
              { key: 'merged', label: 'Merged', render: (p) => formatDateTime(p.mergedAt, zone) },
            ]}
            rows={d.pullRequests}
            rowKey={(p) => String(p.number)}
            empty="No merged pull request in this deployment."
          />
        </Card>
        <Card title="Statuses" explanation="GitHub's deployment statuses, oldest first.">
          <ol class="timeline">
            {d.statuses.map((s) => (
              <li
                key={s.id}
                class={s.state === 'success' ? 'tl-resolve' : s.state === 'failure' || s.state === 'error' ? 'tl-trigger' : ''}
              >
                <time>{formatDateTime(s.createdAt, zone)}</time>
                <strong>{s.state}</strong>
                {s.description ? <span class="muted"> {s.description}</span> : null}
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Commits" explanation="From the previous deployment's SHA to this one (GitHub compare)." wide>
          <DataTable
            columns={[
              { key: 'sha', label: 'SHA', render: (c) => <span class="mono">{c.sha.slice(0, 7)}</span> },
              { key: 'message', label: 'Message', render: (c) => (c.message ?? '').split('\n')[0] },
              { key: 'author', label: 'Author', render: (c) => c.author ?? '–' },
              { key: 'at', label: 'Authored', render: (c) => formatDateTime(c.authoredAt, zone) },
              { key: 'pr', label: 'Pull request', render: (c) => (c.pullRequest ? `#${c.pullRequest}` : '–') },
              {
                key: 'first',
                label: 'First shipped',
                render: (c) =>
                  c.firstShippedHere ? (
                    'here'
                  ) : c.firstShippedBy ? (
                    <a href={`/deployments/${encodeURIComponent(c.firstShippedBy)}`}>earlier</a>
                  ) : (
                    '–'
                  ),
              },
            ]}
            rows={d.commits}
            rowKey={(c) => c.sha}
            dense
            empty="No commits: the first deployment of a repository, or a re-deploy of the same SHA."
          />
        </Card>
      </Grid>
    </Page>
  );
}
