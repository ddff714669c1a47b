// An incident's attribution on its own page: the cause, the rule that decided it and the evidence,
// and the reviewer's hand: "not caused by this deployment", "caused by no deployment", or undo a
// manual decision (back to the automatic rules). Writes carry the version seen; a conflict is shown.
import { useState } from 'preact/hooks';
import { ApiFailure } from '../../api/client.ts';
import type { IncidentDetail } from '../../api/records.ts';
import type { IncidentLink } from '../../api/types.ts';
import { ReviewerName } from '../../components/reviewer-name.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { toFailure } from '../../models/data.ts';
import { useResource } from '../../models/use-resource.ts';
import { CauseBadge } from '../../records/record-columns.tsx';

export function AttributionCard({ incident }: { incident: IncidentDetail }) {
  const { api, data, catalog, prefs } = useApp();
  const linksUrl = api.linksUrl({ incident: incident.id });
  const links = useResource<{ items: IncidentLink[] }>(linksUrl)?.data?.items ?? [];
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const a = incident.attribution;
  const named = prefs.reviewerName.value !== null;
  const versionOf = (deploymentId: string) => links.find((l) => l.deploymentId === deploymentId)?.version ?? 0;

  const write = async (call: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await call();
      setMessage({ ok: true, text: done });
    } catch (error) {
      const f = toFailure(error);
      setMessage({
        ok: false,
        text:
          f instanceof ApiFailure && f.status === 409
            ? `${f.message} The page now shows the current state.`
            : `${f.message} ${f.hint ?? ''}`,
      });
    } finally {
      setBusy(false);
      data.invalidate();
    }
  };
  const post = (deploymentId: string, action: 'link' | 'unlink') =>
    write(
      () =>
        api.send('POST', api.paths.links, { incidentId: incident.id, deploymentId, action, version: versionOf(deploymentId) }),
      deploymentId === '*' ? 'Marked as caused by no deployment.' : 'Marked as not caused by that deployment.',
    );

  return (
    <div class="stack" data-testid="attribution">
      <div class="row">
        <CauseBadge cause={a.cause} method={a.method} />
        {a.deploymentId ? (
          <a href={`/deployments/${encodeURIComponent(a.deploymentId)}`}>
            Deployment of {a.repo ?? 'a repository'} at {formatDateTime(a.deployedAt, catalog.timeZone)} →
          </a>
        ) : null}
      </div>
      {a.evidenceText ? <p class="evidence">{a.evidenceText}</p> : null}
      {links.length > 0 ? (
        <ul style={{ margin: 0, paddingLeft: '1.1em', fontSize: '0.86rem' }}>
          {links.map((l) => (
            <li key={l.deploymentId}>
              {l.action === 'link' ? 'Linked to' : 'Unlinked from'}{' '}
              {l.deploymentId === '*' ? 'every deployment' : `deployment ${l.deploymentId}`} by {l.createdBy},{' '}
              {formatDateTime(l.createdAt, catalog.timeZone)}{' '}
              <button
                type="button"
                class="link-button"
                disabled={busy || !named}
                onClick={() =>
                  void write(
                    () =>
                      api.send(
                        'DELETE',
                        `${api.paths.links}/${encodeURIComponent(l.incidentId)}/${encodeURIComponent(l.deploymentId)}?version=${l.version}`,
                      ),
                    'Manual decision removed: the automatic rules decide again.',
                  )
                }
              >
                Undo
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <ReviewerName purpose="Attribution changes are recorded with your name and time." />
      <div class="row">
        {a.deploymentId ? (
          <button
            type="button"
            class="button button-small"
            disabled={busy || !named}
            onClick={() => void post(a.deploymentId as string, 'unlink')}
          >
            Not caused by this deployment
          </button>
        ) : null}
        {a.cause !== 'not_change_caused' || a.method !== 'manual_unlink' ? (
          <button type="button" class="button button-small" disabled={busy || !named} onClick={() => void post('*', 'unlink')}>
            Caused by no deployment
          </button>
        ) : null}
        <span class="muted" style={{ fontSize: '0.82rem' }}>
          To link it to a deployment, open that deployment.
        </span>
      </div>
      {message ? <p class={`callout ${message.ok ? 'callout-info' : 'callout-warn'}`}>{message.text}</p> : null}
    </div>
  );
}
