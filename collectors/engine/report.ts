// Words and lines about a sync for people: the live lines `vigil sync` draws (or logs), and the
// one-paragraph summary it ends with. Pure functions of progress snapshots and run results.
import type { ProgressSnapshot, ScopeProgress } from './progress.ts';
import type { RunResult } from './runner.ts';

const SOURCE_NAMES: Record<string, string> = { github: 'GitHub', pagerduty: 'PagerDuty' };
const SCOPE_WORDS: Record<string, [string, string]> = { github: ['repository', 'repositories'], pagerduty: ['scope', 'scopes'] };

export function n(value: number): string {
  return value.toLocaleString('en-US');
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${n(count)} ${count === 1 ? one : many}`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function resetTime(iso: string | null): string {
  return iso ? `${iso.slice(11, 16)} UTC` : 'unknown';
}

export function budgetText(rateLimit: ProgressSnapshot['rateLimit']): string | null {
  if (!rateLimit || rateLimit.remaining === null) return null;
  const of = rateLimit.limit !== null ? ` of ${n(rateLimit.limit)}` : '';
  return `rate limit ${n(rateLimit.remaining)}${of} left (resets ${resetTime(rateLimit.resetAt)})`;
}

/** One line per scope: what it is doing and how far it got. */
export function scopeLine(scope: ScopeProgress, width = 100): string {
  const state =
    scope.state === 'failed'
      ? 'FAILED'
      : scope.state === 'done'
        ? 'done'
        : scope.state === 'pending'
          ? 'waiting'
          : (scope.stream ?? '');
  const counts = `${n(scope.records)} records, ${n(scope.written)} written, ${n(scope.requests)} req${scope.errors ? `, ${n(scope.errors)} errors` : ''}`;
  const line = `  ${scope.scope.padEnd(28)} ${state.padEnd(20)} ${counts}`;
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** The header line of a source's live progress. */
export function headerLine(snapshot: ProgressSnapshot, elapsedMs: number): string {
  const [one, many] = SCOPE_WORDS[snapshot.source] ?? ['scope', 'scopes'];
  const done = snapshot.scopes.filter((s) => s.state === 'done' || s.state === 'failed').length;
  const budget = budgetText(snapshot.rateLimit);
  return [
    `${SOURCE_NAMES[snapshot.source] ?? snapshot.source}: ${n(done)}/${plural(snapshot.scopes.length, one, many)} done`,
    `${n(snapshot.requests)} requests`,
    `${n(snapshot.recordsWritten)} rows written`,
    ...(budget ? [budget] : []),
    duration(elapsedMs),
  ].join(' · ');
}

/** The lines to draw for a running source on a terminal of `rows` lines. */
export function progressLines(snapshot: ProgressSnapshot, elapsedMs: number, rows = 24, width = 100): string[] {
  const active = snapshot.scopes.filter((s) => s.state === 'running' || s.state === 'failed');
  const room = Math.max(1, Math.min(rows - 4, 12));
  const shown = active.slice(0, room).map((s) => scopeLine(s, width));
  if (active.length > room) shown.push(`  … and ${n(active.length - room)} more`);
  // A line longer than the terminal would wrap and break the redraw in place.
  const header = headerLine(snapshot, elapsedMs);
  return [header.length > width ? `${header.slice(0, width - 1)}…` : header, ...shown];
}

const TABLE_WORDS: Record<string, [string, string]> = {
  deployments: ['deployment', 'deployments'],
  deployment_statuses: ['deployment status', 'deployment statuses'],
  deployment_compares: ['deployment compare', 'deployment compares'],
  deployment_commits: ['deployment commit link', 'deployment commit links'],
  commits: ['commit', 'commits'],
  pull_requests: ['pull request', 'pull requests'],
  pull_request_commits: ['pull request commit', 'pull request commits'],
  pd_services: ['service', 'services'],
  pd_teams: ['team', 'teams'],
  pd_users: ['user', 'users'],
  pd_priorities: ['priority', 'priorities'],
  pd_escalation_policies: ['escalation policy', 'escalation policies'],
  pd_schedules: ['schedule', 'schedules'],
  incidents: ['incident', 'incidents'],
  log_entries: ['log entry', 'log entries'],
  alerts: ['alert', 'alerts'],
  notifications: ['notification', 'notifications'],
  oncall_shifts: ['on-call shift', 'on-call shifts'],
};

function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The one-paragraph summary a sync ends with. */
export function summaryParagraph(result: RunResult, scopes: number): string {
  const name = SOURCE_NAMES[result.source] ?? result.source;
  const [one, many] = SCOPE_WORDS[result.source] ?? ['scope', 'scopes'];
  const verb =
    result.status === 'succeeded'
      ? 'finished'
      : result.status === 'partial'
        ? 'finished only in part'
        : result.status === 'interrupted'
          ? 'was interrupted'
          : 'failed';
  const parts: string[] = [];
  const head = result.trigger === 'renormalize' ? `${name} rebuild from raw ${verb}` : `${name} sync ${verb}`;
  const budget = budgetText(result.rateLimit);
  parts.push(
    `${head} in ${duration(result.durationMs)}: ${plural(scopes, one, many)}, ${plural(result.requests, 'request')}${budget ? `, ${budget}` : ''}.`,
  );
  const written = Object.entries(result.tables)
    .filter(([, count]) => count > 0)
    .map(([table, count]) => {
      const [single, multiple] = TABLE_WORDS[table] ?? [table, table];
      return plural(count, single, multiple);
    });
  if (written.length > 0) {
    const rate = result.load.ms > 0 ? `, ${n(Math.round((result.load.rows / result.load.ms) * 1000))} rows/s into DuckDB` : '';
    parts.push(`Wrote ${listText(written)}${rate}.`);
  } else if (result.status !== 'failed') {
    parts.push('Nothing had changed, so nothing was written.');
  }
  if (result.badRecords > 0) {
    parts.push(
      `${plural(result.badRecords, 'bad record')} ${result.badRecords === 1 ? 'was' : 'were'} kept in raw_${result.source} with ${result.badRecords === 1 ? 'its error' : 'their errors'} (listed in sync_errors for run ${result.runId}).`,
    );
  }
  if (result.error) parts.push(result.error);
  return parts.join(' ');
}
