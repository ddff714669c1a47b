// A small, readable builder for metric fixtures: it inserts rows into the normalised tables the
// way the collectors would (deployments with their newest status, compares with their commits,
// incidents with their log entries, notifications with their notify entries) and runs the real
// refreshDerived. Times are written as 'YYYY-MM-DD HH:MM' (UTC) for legibility.
import { createHash } from 'node:crypto';
import { applyConfig } from '../../server/config/apply.ts';
import { parseConfig } from '../../server/config/load.ts';
import type { VigilConfig } from '../../server/config/schema.ts';
import { type Database, openDatabase } from '../../server/db/index.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';

export const SYNCED = '2024-06-01T00:00:00Z';

/** '2024-03-04 10:00' -> '2024-03-04T10:00:00Z'; full ISO strings pass through. */
export function t(text: string): string {
  if (/[zZ]|[+-]\d\d:?\d\d$/.test(text)) return new Date(text).toISOString();
  const [date, time = '00:00'] = text.trim().split(/[ T]/);
  return new Date(`${date}T${time.length === 5 ? `${time}:00` : time}Z`).toISOString();
}

const addMinutes = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

export interface FixtureOptions {
  config?: Record<string, unknown>;
  /** A database file instead of ':memory:' (for tests that run the CLI on it). */
  database?: string;
}

export const baseConfig = {
  database: ':memory:',
  teams: [
    {
      id: 'payments',
      name: 'Payments',
      repos: ['acme/pay-api', { name: 'acme/pay-web', productionPattern: '^prod$' }],
      services: ['PSVC1', 'PSVC2'],
      schedules: ['PSCHED'],
    },
    { id: 'search', name: 'Search', repos: ['acme/search'], services: ['SSVC1'], schedules: ['SSCHED'] },
    { id: 'platform', name: 'Platform', services: ['PLSVC'], schedules: [] },
  ],
};

let seq = 0;
const nextId = (prefix: string) => `${prefix}${++seq}`;

export class Fixture {
  private syncedAt = SYNCED;

  private constructor(
    readonly db: Database,
    readonly config: VigilConfig,
  ) {}

  static async create(options: FixtureOptions = {}): Promise<Fixture> {
    const config = parseConfig('/fixture/vigil.config.yaml', {
      ...baseConfig,
      ...(options.config ?? {}),
      database: options.database ?? ':memory:',
    });
    const db = await openDatabase(config.database);
    await applyConfig(db, config);
    return new Fixture(db, config);
  }

  /** Rows written after this call look newer than everything before (an incremental sync). */
  nextSync(iso: string): void {
    this.syncedAt = new Date(iso).toISOString();
  }

  refresh(options: { full?: boolean } = {}) {
    return refreshDerived(this.db, this.config, options);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  // ---- GitHub

  async deployment(d: {
    id: string;
    repo: string;
    sha: string;
    env?: string;
    at: string;
    /** newest status; default success. */
    status?: 'success' | 'failure' | 'error' | 'inactive' | 'pending' | 'in_progress';
    /** time of the first success status (default: `at` for success/inactive). */
    succeededAt?: string | null;
    githubId?: number;
  }): Promise<void> {
    const status = d.status ?? 'success';
    const at = t(d.at);
    const succeeded =
      d.succeededAt === undefined
        ? status === 'success' || status === 'inactive'
          ? at
          : null
        : d.succeededAt && t(d.succeededAt);
    await this.db.run(
      `INSERT OR REPLACE INTO deployments (id, repo, source, github_id, sha, ref, environment, creator, created_at, updated_at,
        status, status_at, succeeded_at, final, synced_at)
       VALUES ($id, $repo, 'deployments', $gid, $sha, 'main', $env, 'dev', $created, $at, $status, $at, $succeeded, true, $synced)`,
      {
        id: d.id,
        repo: d.repo,
        gid: d.githubId ?? Number(d.id.replace(/\D/g, '') || '0'),
        sha: d.sha,
        env: d.env ?? 'production',
        created: addMinutes(at, -5),
        at,
        status,
        succeeded,
        synced: this.syncedAt,
      },
    );
  }

  /** The commits a deployment shipped since its base (what the collector stores from compare). */
  async shipped(
    deploymentId: string,
    repo: string,
    shas: string[],
    base: string | null = null,
    status: 'ahead' | 'behind' | 'identical' | 'diverged' = shas.length === 0 ? 'behind' : 'ahead',
  ): Promise<void> {
    await this.db.run(
      `INSERT OR REPLACE INTO deployment_compares (deployment_id, repo, base_deployment_id, base_sha, head_sha, status, ahead_by,
        behind_by, total_commits, commits_stored, synced_at)
       VALUES ($id, $repo, NULL, $base, $head, $status, $n, 0, $n, $n, $synced)`,
      { id: deploymentId, repo, base, head: shas.at(-1) ?? '', n: shas.length, status, synced: this.syncedAt },
    );
    for (const [i, sha] of shas.entries()) {
      await this.db.run(
        'INSERT OR REPLACE INTO deployment_commits (deployment_id, repo, sha, position) VALUES ($id, $repo, $sha, $i)',
        { id: deploymentId, repo, sha, i },
      );
    }
  }

  async commit(c: { repo: string; sha: string; at: string; message?: string; author?: string }): Promise<void> {
    await this.db.run(
      `INSERT OR REPLACE INTO commits (repo, sha, authored_at, committed_at, author, message, parent_count, synced_at)
       VALUES ($repo, $sha, $at, $at, $author, $msg, 1, $synced)`,
      {
        repo: c.repo,
        sha: c.sha,
        at: t(c.at),
        author: c.author ?? 'dev',
        msg: c.message ?? `commit ${c.sha}`,
        synced: this.syncedAt,
      },
    );
  }

  async pull(p: {
    repo: string;
    number: number;
    mergedAt: string;
    mergeCommitSha: string;
    commits: { sha: string; at: string }[];
    title?: string;
  }): Promise<void> {
    const first = p.commits.map((c) => t(c.at)).sort()[0] ?? null;
    await this.db.run(
      `INSERT OR REPLACE INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, closed_at, merged_at,
        merge_commit_sha, head_sha, head_ref, base_ref, first_commit_at, commit_count, commits_synced, synced_at)
       VALUES ($repo, $n, $title, 'dev', 'closed', false, $first, $merged, $merged, $merged, $sha, $head, 'feature', 'main',
        $first, $count, true, $synced)`,
      {
        repo: p.repo,
        n: p.number,
        title: p.title ?? `PR ${p.number}`,
        first,
        merged: t(p.mergedAt),
        sha: p.mergeCommitSha,
        head: p.commits.at(-1)?.sha ?? null,
        count: p.commits.length,
        synced: this.syncedAt,
      },
    );
    for (const c of p.commits) {
      await this.db.run(
        `INSERT OR REPLACE INTO pull_request_commits (repo, number, sha, authored_at, committed_at)
         VALUES ($repo, $n, $sha, $at, $at)`,
        { repo: p.repo, n: p.number, sha: c.sha, at: t(c.at) },
      );
    }
  }

  // ---- PagerDuty

  async service(id: string, name = id): Promise<void> {
    await this.db.run(
      `INSERT OR REPLACE INTO pd_services (id, name, escalation_policy_id, synced_at) VALUES ($id, $name, $ep, $synced)`,
      { id, name, ep: `EP-${id}`, synced: this.syncedAt },
    );
  }

  async user(id: string, timeZone: string | null, name = id): Promise<void> {
    await this.db.run(
      `INSERT OR REPLACE INTO pd_users (id, name, email, time_zone, synced_at) VALUES ($id, $name, $email, $tz, $synced)`,
      { id, name, email: `${id.toLowerCase()}@example.com`, tz: timeZone, synced: this.syncedAt },
    );
  }

  async incident(i: {
    id: string;
    service: string;
    title?: string;
    description?: string;
    urgency?: 'high' | 'low';
    priority?: string | null;
    at: string;
    /** trigger agent: integration (monitoring, default) or user (human-reported) */
    triggeredBy?: 'integration' | 'user' | 'none';
    ackAt?: string | null;
    resolvedAt?: string | null;
    resolvedBy?: 'user' | 'integration' | 'timeout';
    escalations?: string[];
    priorityChanges?: { at: string; from: string | null; to: string }[];
    notes?: { at: string; text: string }[];
    alerts?: { at: string; eventTime?: string | null }[];
    /** incident created_at field when it differs from the trigger entry */
    createdField?: string;
  }): Promise<void> {
    const at = t(i.at);
    const status = i.resolvedAt ? 'resolved' : i.ackAt ? 'acknowledged' : 'triggered';
    await this.db.run(
      `INSERT OR REPLACE INTO incidents (id, incident_number, title, description, status, urgency, priority_id, priority_name,
        service_id, html_url, created_at, updated_at, resolved_at, alert_count, final, synced_at)
       VALUES ($id, $num, $title, $desc, $status, $urgency, $pid, $pname, $svc, $url, $created, $updated, $resolved, $alerts,
        $final, $synced)`,
      {
        id: i.id,
        num: Number(i.id.replace(/\D/g, '') || '0'),
        title: i.title ?? `Incident ${i.id}`,
        desc: i.description ?? null,
        status,
        urgency: i.urgency ?? 'high',
        pid: i.priority ? `PRI-${i.priority}` : null,
        pname: i.priority ?? null,
        svc: i.service,
        url: `https://example.pagerduty.com/incidents/${i.id}`,
        created: i.createdField ? t(i.createdField) : at,
        // updated_at deliberately far in the future: metrics must never use it.
        updated: '2030-01-01T00:00:00Z',
        resolved: i.resolvedAt ? t(i.resolvedAt) : null,
        alerts: i.alerts?.length ?? 0,
        final: Boolean(i.resolvedAt),
        synced: this.syncedAt,
      },
    );
    const entry = async (type: string, when: string, extra: Record<string, string | null> = {}) => {
      await this.db.run(
        `INSERT INTO log_entries (id, incident_id, type, created_at, agent_type, agent_id, channel_type, user_id,
          notification_type, notification_id, note, details, synced_at)
         VALUES ($id, $inc, $type, $at, $agent, $agentId, $channel, $user, $ntype, $nid, $note, $details, $synced)`,
        {
          id: nextId('LE'),
          inc: i.id,
          type,
          at: t(when),
          agent: extra.agent ?? null,
          agentId: extra.agentId ?? null,
          channel: extra.channel ?? null,
          user: extra.user ?? null,
          ntype: extra.ntype ?? null,
          nid: extra.nid ?? null,
          note: extra.note ?? null,
          details: extra.details ?? null,
          synced: this.syncedAt,
        },
      );
    };
    if ((i.triggeredBy ?? 'integration') !== 'none') {
      const human = i.triggeredBy === 'user';
      await entry('trigger_log_entry', at, {
        agent: human ? 'user_reference' : 'integration_reference',
        channel: human ? 'web_trigger' : 'api',
      });
    }
    if (i.ackAt) await entry('acknowledge_log_entry', i.ackAt, { agent: 'user_reference', channel: 'web' });
    for (const e of i.escalations ?? []) await entry('escalate_log_entry', e, { agent: 'service_reference', channel: 'timeout' });
    for (const c of i.priorityChanges ?? []) {
      await entry('field_value_change_log_entry', c.at, {
        agent: 'user_reference',
        details: JSON.stringify({ changes: [{ field: 'priority', from: c.from, to: c.to }] }),
      });
    }
    for (const n of i.notes ?? []) await entry('annotate_log_entry', n.at, { agent: 'user_reference', note: n.text });
    if (i.resolvedAt) {
      const by = i.resolvedBy ?? 'user';
      await entry('resolve_log_entry', i.resolvedAt, {
        agent: by === 'user' ? 'user_reference' : by === 'integration' ? 'integration_reference' : 'service_reference',
        channel: by === 'timeout' ? 'timeout' : by === 'integration' ? 'api' : 'web',
      });
    }
    for (const [k, a] of (i.alerts ?? []).entries()) {
      await this.db.run(
        `INSERT OR REPLACE INTO alerts (id, incident_id, status, created_at, service_id, event_time, synced_at)
         VALUES ($id, $inc, 'resolved', $at, $svc, $ev, $synced)`,
        {
          id: `${i.id}-A${k + 1}`,
          inc: i.id,
          at: t(a.at),
          svc: i.service,
          ev: a.eventTime ? t(a.eventTime) : null,
          synced: this.syncedAt,
        },
      );
    }
  }

  /** A notification (and, unless `unlogged`, its notify log entry on the incident). */
  async page(p: {
    id: string;
    user: string;
    at: string;
    incident?: string | null;
    type?: 'sms' | 'phone' | 'push' | 'email';
    /** notify entry without the notification id (linked by nearest time) */
    logWithoutId?: boolean;
  }): Promise<void> {
    const type = p.type ?? 'sms';
    await this.db.run(
      `INSERT OR REPLACE INTO notifications (id, type, started_at, user_id, status, synced_at)
       VALUES ($id, $type, $at, $user, 'success', $synced)`,
      { id: p.id, type, at: t(p.at), user: p.user, synced: this.syncedAt },
    );
    if (p.incident) {
      await this.db.run(
        `INSERT INTO log_entries (id, incident_id, type, created_at, agent_type, channel_type, user_id, notification_type,
          notification_id, synced_at)
         VALUES ($id, $inc, 'notify_log_entry', $at, 'user_reference', $type, $user, $type, $nid, $synced)`,
        {
          id: nextId('LE'),
          inc: p.incident,
          at: t(p.at),
          type,
          user: p.user,
          nid: p.logWithoutId ? null : p.id,
          synced: this.syncedAt,
        },
      );
    }
  }

  async shift(s: { user: string; schedule: string | null; level?: number; start: string; end: string | null; policy?: string }) {
    await this.db.run(
      `INSERT OR REPLACE INTO oncall_shifts (id, schedule_id, escalation_policy_id, escalation_level, user_id, start_at, end_at,
        synced_at)
       VALUES ($id, $sched, $ep, $level, $user, $start, $end, $synced)`,
      {
        id: `${s.schedule}|${s.level ?? 1}|${s.user}|${s.start}`,
        sched: s.schedule,
        ep: s.policy ?? 'EP',
        level: s.level ?? 1,
        user: s.user,
        start: t(s.start),
        end: s.end ? t(s.end) : null,
        synced: this.syncedAt,
      },
    );
  }

  // ---- user-owned

  async label(incidentId: string, label: 'actionable' | 'non_actionable', reason: string | null = null, by = 'reviewer') {
    await this.db.run(
      `INSERT OR REPLACE INTO review_labels (incident_id, label, reason, note, labelled_by, labelled_at)
       VALUES ($id, $label, $reason, NULL, $by, $at)`,
      { id: incidentId, label, reason, by, at: this.syncedAt },
    );
  }

  async link(incidentId: string, deploymentId: string, action: 'link' | 'unlink', by = 'reviewer', at = this.syncedAt) {
    await this.db.run(
      `INSERT OR REPLACE INTO incident_links (incident_id, deployment_id, action, note, created_by, created_at)
       VALUES ($id, $dep, $action, NULL, $by, $at)`,
      { id: incidentId, dep: deploymentId, action, by, at },
    );
  }

  // ---- reading derived facts

  one<T = Record<string, unknown>>(sql: string, params?: Record<string, string | number | boolean | null>) {
    return this.db.one<T>(sql, params);
  }

  all<T = Record<string, unknown>>(sql: string, params?: Record<string, string | number | boolean | null>) {
    return this.db.all<T>(sql, params);
  }
}

/** A stable 40-hex SHA for a short readable name. */
export function sha(name: string): string {
  return createHash('sha1').update(name).digest('hex');
}
