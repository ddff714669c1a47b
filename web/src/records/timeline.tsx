// An incident's timeline: trigger, acknowledgements, escalations, priority changes, notes and the
// resolution, each with its time in the configured zone and who or what did it.
import type { TimelineEntry } from '../api/records.ts';
import { formatDateTime } from '../lib/format.ts';

const words: Record<string, string> = {
  trigger_log_entry: 'Triggered',
  acknowledge_log_entry: 'Acknowledged',
  acknowledgement_log_entry: 'Acknowledged',
  escalate_log_entry: 'Escalated',
  field_value_change_log_entry: 'Field changed',
  urgency_change_log_entry: 'Urgency changed',
  annotate_log_entry: 'Note',
  resolve_log_entry: 'Resolved',
  notify_log_entry: 'Notified',
  assign_log_entry: 'Assigned',
  priority_change_log_entry: 'Priority changed',
  reach_trigger_limit_log_entry: 'Trigger limit reached',
  snooze_log_entry: 'Snoozed',
  unacknowledge_log_entry: 'Unacknowledged',
};

function kindClass(type: string): string {
  if (type.startsWith('trigger')) return 'tl-trigger';
  if (type.startsWith('acknowledge')) return 'tl-acknowledge';
  if (type.startsWith('resolve')) return 'tl-resolve';
  if (type.startsWith('escalate')) return 'tl-escalate';
  return '';
}

function agent(entry: TimelineEntry): string | null {
  if (entry.userName) return entry.userName;
  if (!entry.agentType) return null;
  if (entry.agentType.includes('integration')) return 'an integration';
  if (entry.agentType.includes('service')) return 'the service';
  if (entry.agentType.includes('user')) return 'a person';
  return entry.agentType.replace(/_reference$/, '').replace(/_/g, ' ');
}

export function Timeline({ entries, zone }: { entries: readonly TimelineEntry[]; zone: string }) {
  if (entries.length === 0) return <p class="muted">No log entries were synced for this incident.</p>;
  return (
    <ol class="timeline">
      {entries.map((e, i) => {
        const who = agent(e);
        return (
          <li key={i} class={kindClass(e.type)}>
            <time dateTime={e.at}>{formatDateTime(e.at, zone)}</time>
            <strong>{words[e.type] ?? e.type.replace(/_log_entry$/, '').replace(/_/g, ' ')}</strong>
            {who ? <span class="muted"> by {who}</span> : null}
            {e.channel ? <span class="muted"> via {e.channel}</span> : null}
            {e.note ? (
              <div>“{e.note}”</div>
            ) : e.summary && !e.type.startsWith('trigger') ? (
              <div class="muted">{e.summary}</div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
