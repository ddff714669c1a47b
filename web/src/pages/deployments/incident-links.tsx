// The incidents a deployment caused, with the evidence that says so, and the reviewer's hand:
// mark an incident as not caused by this deployment, link another incident to it, or undo a
// manual decision. Every write carries the version the reviewer saw; when someone else changed it
// first, the page says so and shows the current state instead of overwriting it.
import { useState } from 'preact/hooks';
import { ApiFailure } from '../../api/client.ts';
import type { DeploymentDetail, IncidentRecord, RecordPage } from '../../api/records.ts';
import type { Attribution, IncidentLink } from '../../api/types.ts';
import { Badge } from '../../components/level-badge.tsx';
import { ReviewerName } from '../../components/reviewer-name.tsx';
import { addDays } from '../../lib/dates.ts';
import { formatDateTime, formatDuration } from '../../lib/format.ts';
import { useApp } from '../../models/app-model.ts';
import { toFailure } from '../../models/data.ts';
import { useResource } from '../../models/use-resource.ts';

const methodWords: Record<string, string> = {
  manual_link: 'Linked by a reviewer',
  manual_unlink: 'Unlinked by a reviewer',
  explicit_sha: 'Names a commit',
  explicit_deployment: 'Names the deployment',
  window: 'Time window',
};

interface WriteResult {
  link?: IncidentLink;
  removed?: IncidentLink;
  attribution: Attribution;
}

export function IncidentLinks({ deployment }: { deployment: DeploymentDetail }) {
  const { api, data, catalog, prefs } = useApp();
  const zone = catalog.timeZone;
  const linksUrl = api.linksUrl({ deployment: deployment.id });
  const links = useResource<{ items: IncidentLink[] }>(linksUrl);
  const deployedAt = deployment.deployedAt ?? deployment.createdAt;
  const day = deployedAt.slice(0, 10);
  const candidatesUrl = api.recordsUrl('incidents', { team: [deployment.team], from: day, to: addDays(day, 3), limit: 50 });
  const candidates = useResource<RecordPage<IncidentRecord>>(candidatesUrl);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'conflict' | 'error'; text: string } | null>(null);
  const [pick, setPick] = useState('');
  const [note, setNote] = useState('');

  const manual = links?.data?.items ?? [];
  const versionOf = (incidentId: string) => manual.find((l) => l.incidentId === incidentId)?.version ?? 0;
  const named = prefs.reviewerName.value !== null;
  const linkedIds = new Set(deployment.incidents.map((i) => i.id));
  const options = (candidates?.data?.items ?? []).filter(
    (i) => !linkedIds.has(i.id) && Date.parse(i.createdAt) >= Date.parse(deployedAt),
  );

  const run = async (what: () => Promise<WriteResult>, done: (r: WriteResult) => string) => {
    setBusy(true);
    setMessage(null);
    try {
      const result = await what();
      setMessage({ kind: 'ok', text: done(result) });
      setPick('');
      setNote('');
    } catch (error) {
      const f = toFailure(error);
      if (f instanceof ApiFailure && f.status === 409) {
        setMessage({ kind: 'conflict', text: `${f.message} ${f.hint ?? ''} The page now shows the current state.` });
      } else setMessage({ kind: 'error', text: `${f.message}${f.hint ? ` ${f.hint}` : ''}` });
    } finally {
      setBusy(false);
      data.invalidate();
    }
  };

  const unlink = (incidentId: string) =>
    run(
      () =>
        api.send<WriteResult>('POST', api.paths.links, {
          incidentId,
          deploymentId: deployment.id,
          action: 'unlink',
          version: versionOf(incidentId),
        }),
      (r) =>
        `Marked as not caused by this deployment. The incident is now ${r.attribution.cause?.replace(/_/g, ' ') ?? 'unattributed'}.`,
    );
  const link = () =>
    run(
      () =>
        api.send<WriteResult>('POST', api.paths.links, {
          incidentId: pick,
          deploymentId: deployment.id,
          action: 'link',
          note: note || null,
          version: versionOf(pick),
        }),
      () => 'Linked: the incident now counts against this deployment.',
    );
  const undo = (l: IncidentLink) =>
    run(
      () =>
        api.send<WriteResult>(
          'DELETE',
          `${api.paths.links}/${encodeURIComponent(l.incidentId)}/${encodeURIComponent(l.deploymentId)}?version=${l.version}`,
        ),
      () => 'Manual decision removed: the automatic rules decide again.',
    );

  return (
    <div class="stack" data-testid="incident-links">
      {deployment.incidents.length === 0 ? (
        <p class="muted" style={{ margin: 0 }}>
          No incident is attributed to this deployment.
        </p>
      ) : (
        <ul class="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {deployment.incidents.map((i) => (
            <li key={i.id} data-incident={i.id}>
              <div class="row spread">
                <span class="row">
                  <a href={`/incidents/${encodeURIComponent(i.id)}`} class="cell-title">
                    {i.title}
                  </a>
                  {i.severity ? <Badge kind="muted">{i.severity}</Badge> : null}
                  <Badge kind={i.method.startsWith('manual') ? 'info' : 'muted'}>{methodWords[i.method] ?? i.method}</Badge>
                </span>
                <button
                  type="button"
                  class="button button-small"
                  disabled={busy || !named}
                  onClick={() => void unlink(i.id)}
                  data-action="unlink"
                >
                  Not caused by this deployment
                </button>
              </div>
              <p class="muted" style={{ margin: '2px 0 0', fontSize: '0.85rem' }}>
                Created {formatDateTime(i.createdAt, zone)}
                {i.resolvedAt
                  ? `, resolved after ${formatDuration((Date.parse(i.resolvedAt) - Date.parse(i.createdAt)) / 1000)}`
                  : ', still open'}
              </p>
              {i.evidenceText ? <p class="evidence">{i.evidenceText}</p> : null}
            </li>
          ))}
        </ul>
      )}
      {manual.length > 0 ? (
        <div>
          <h4 style={{ margin: '0 0 4px', fontSize: '0.85rem' }}>Manual decisions on this deployment</h4>
          <ul style={{ margin: 0, paddingLeft: '1.1em', fontSize: '0.86rem' }}>
            {manual.map((l) => (
              <li key={`${l.incidentId}|${l.deploymentId}`} data-link={l.incidentId}>
                {l.action === 'link' ? 'Linked' : 'Unlinked'} incident{' '}
                <a href={`/incidents/${encodeURIComponent(l.incidentId)}`}>{l.incidentId}</a> by {l.createdBy},{' '}
                {formatDateTime(l.createdAt, zone)}
                {l.note ? ` (“${l.note}”)` : ''}{' '}
                <button
                  type="button"
                  class="link-button"
                  disabled={busy || !named}
                  onClick={() => void undo(l)}
                  data-action="undo"
                >
                  Undo
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div class="stack" style={{ borderTop: '1px solid var(--border)', paddingTop: 'var(--s3)' }}>
        <ReviewerName purpose="Links and unlinks are recorded with your name and time." />
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (pick) void link();
          }}
        >
          <label class="field grow">
            <span class="field-label">Link an incident of {catalog.teamName(deployment.team)} from the 3 days after</span>
            <select name="incident" value={pick} onChange={(e) => setPick((e.target as HTMLSelectElement).value)}>
              <option value="">{options.length ? 'Choose an incident…' : 'No other incident in those 3 days'}</option>
              {options.map((i) => (
                <option key={i.id} value={i.id}>
                  {formatDateTime(i.createdAt, zone)} · {i.severity ?? ''} · {i.title}
                </option>
              ))}
            </select>
          </label>
          <label class="field grow">
            <span class="field-label">Why (optional)</span>
            <input
              type="text"
              name="note"
              maxLength={2000}
              value={note}
              onInput={(e) => setNote((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" class="button button-primary" disabled={busy || !pick || !named} data-action="link">
            Link
          </button>
        </form>
      </div>
      {message ? (
        <p
          class={`callout ${message.kind === 'ok' ? 'callout-info' : 'callout-warn'}`}
          role={message.kind === 'ok' ? 'status' : 'alert'}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
