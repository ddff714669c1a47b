// `vigil sync --renormalize` for PagerDuty: rebuild every PagerDuty normalised table from
// raw_pagerduty with no HTTP at all, in one transaction (readers see the old tables until it
// commits, and a failure leaves them untouched). It replays the newest valid payload of each
// record through the same normalise functions, loader and derivation the sync uses, so the tables
// come out identical, synced_at included. On-call shifts recorded as removed after their newest
// payload stay removed; the priorities list is one record, so positions come back as they were.
import { ident, type WriteTx } from '../../server/db/index.ts';
import { type LoaderOptions, loadInto } from '../engine/loader.ts';
import { SOURCE_TABLES } from '../engine/tables.ts';
import { emptyBatch, type LoadBatch, type RenormalizeContext, type Row, type RowSet } from '../engine/types.ts';
import { yieldToLoop } from '../engine/yield.ts';
import { deriveAllFinal } from './derive.ts';
import {
  alertRow,
  escalationPolicyRow,
  incidentRow,
  logEntryRow,
  notificationRow,
  oncallRow,
  scheduleRow,
  serviceRow,
  teamRow,
  userRow,
} from './normalise.ts';
import {
  alertSchema,
  escalationPolicySchema,
  incidentSchema,
  logEntrySchema,
  notificationSchema,
  oncallSchema,
  scheduleSchema,
  serviceSchema,
  teamSchema,
  userSchema,
} from './schemas.ts';
import { ALERTS } from './streams/alerts.ts';
import { PRIORITIES, PRIORITY_LIST_KEY, priorityRows } from './streams/directory.ts';
import { INCIDENTS } from './streams/incidents.ts';
import { LOG_ENTRIES } from './streams/log-entries.ts';
import { NOTIFICATIONS } from './streams/notifications.ts';
import { ONCALL_REMOVALS, ONCALLS } from './streams/oncalls.ts';

const CHUNK = 5_000;

interface RawRow {
  record_key: string;
  request_url: string;
  fetched_at: string;
  payload_hash: string;
  payload: string;
}

/** Newest valid payload per record of a stream, oldest fetch first. */
const NEWEST = `
  SELECT record_key, request_url, fetched_at, payload_hash, payload FROM raw_pagerduty
  WHERE stream = $stream AND error IS NULL
  QUALIFY row_number() OVER (PARTITION BY scope, record_key ORDER BY fetched_at DESC, payload_hash DESC) = 1
  ORDER BY fetched_at, record_key`;

/** On-call shifts: the newest payload, unless a removal was recorded after it. */
const NEWEST_SHIFTS = `
  WITH newest AS (
    SELECT scope, record_key, request_url, fetched_at, payload_hash, payload FROM raw_pagerduty
    WHERE stream = $stream AND error IS NULL
    QUALIFY row_number() OVER (PARTITION BY scope, record_key ORDER BY fetched_at DESC, payload_hash DESC) = 1
  ),
  removed AS (
    SELECT scope, record_key, max(fetched_at) AS at FROM raw_pagerduty WHERE stream = '${ONCALL_REMOVALS}' GROUP BY scope, record_key
  )
  SELECT n.record_key, n.request_url, n.fetched_at, n.payload_hash, n.payload FROM newest n
  LEFT JOIN removed r ON r.scope = n.scope AND r.record_key = n.record_key
  WHERE r.at IS NULL OR r.at < n.fetched_at
  ORDER BY n.fetched_at, n.record_key`;

class Rebuild {
  private batch: LoadBatch = emptyBatch();
  private readonly sets = new Map<string, RowSet>();
  private size = 0;

  constructor(
    private readonly tx: WriteTx,
    private readonly ctx: RenormalizeContext,
    private readonly options: LoaderOptions,
  ) {}

  add(table: string, rows: readonly Row[]): void {
    let set = this.sets.get(table);
    if (!set) {
      set = { table, rows: [] };
      this.sets.set(table, set);
      this.batch.rows.push(set);
    }
    for (const row of rows) set.rows.push(row);
    this.size += rows.length;
  }

  async flushIfFull(): Promise<void> {
    if (this.size >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const result = await loadInto(this.tx, this.batch, this.options);
    const written = Object.values(result.written).reduce((a, b) => a + b, 0);
    this.ctx.progress.loaded(result.rowsOffered, result.ms, result.written);
    this.ctx.progress.records({ scope: '*', stream: 'renormalize' }, result.rowsOffered, written);
    this.batch = emptyBatch();
    this.sets.clear();
    this.size = 0;
    await yieldToLoop();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const meta = (row: RawRow) => ({ payloadHash: row.payload_hash, fetchedAt: new Date(row.fetched_at).toISOString() });

/** The incident an alert belongs to, from its own reference or the URL it was listed at. */
function alertIncident(payload: { incident?: { id?: string } | null }, url: string): string | null {
  return payload.incident?.id ?? /\/incidents\/([^/?#]+)\/alerts/.exec(url)?.[1] ?? null;
}

export async function renormalizePagerDuty(ctx: RenormalizeContext): Promise<void> {
  const options: LoaderOptions = { source: 'pagerduty', runId: null, rawRules: [] };
  await ctx.db.write(async (tx) => {
    for (const table of SOURCE_TABLES.pagerduty) await tx.run(`DELETE FROM ${ident(table)}`);
    const rebuild = new Rebuild(tx, ctx, options);
    const replay = async (sql: string, stream: string, fn: (row: RawRow, payload: unknown) => void) => {
      await ctx.db.stream(sql, { stream }, async (rows) => {
        for (const row of rows as unknown as RawRow[]) {
          fn(row, parseJson(row.payload));
          await rebuild.flushIfFull();
        }
        return true;
      });
    };
    const simple = <T>(
      stream: string,
      table: string,
      schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
      toRow: (value: T, raw: ReturnType<typeof meta>) => Row,
    ) =>
      replay(NEWEST, stream, (row, payload) => {
        const parsed = schema.safeParse(payload);
        if (parsed.success) rebuild.add(table, [toRow(parsed.data, meta(row))]);
      });

    await simple('services', 'pd_services', serviceSchema, serviceRow);
    await simple('teams', 'pd_teams', teamSchema, teamRow);
    await simple('users', 'pd_users', userSchema, userRow);
    await simple('escalation_policies', 'pd_escalation_policies', escalationPolicySchema, escalationPolicyRow);
    await simple('schedules', 'pd_schedules', scheduleSchema, scheduleRow);
    await replay(NEWEST, PRIORITIES, (row, payload) => {
      if (row.record_key === PRIORITY_LIST_KEY && Array.isArray(payload))
        rebuild.add('pd_priorities', priorityRows(payload, meta(row)).rows);
    });
    await simple(INCIDENTS, 'incidents', incidentSchema, incidentRow);
    await simple(LOG_ENTRIES, 'log_entries', logEntrySchema, logEntryRow);
    await replay(NEWEST, ALERTS, (row, payload) => {
      const parsed = alertSchema.safeParse(payload);
      const incident = parsed.success ? alertIncident(parsed.data, row.request_url) : null;
      if (parsed.success && incident) rebuild.add('alerts', [alertRow(parsed.data, incident, meta(row))]);
    });
    await simple(NOTIFICATIONS, 'notifications', notificationSchema, notificationRow);
    await replay(NEWEST_SHIFTS, ONCALLS, (row, payload) => {
      const parsed = oncallSchema.safeParse(payload);
      if (parsed.success) rebuild.add('oncall_shifts', [oncallRow(parsed.data, meta(row))]);
    });
    await rebuild.flush();
    await deriveAllFinal()(tx);
  });
}
