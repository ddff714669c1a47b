// Figures for the GitHub collector, printed as a table and JSON (not part of `npm test`):
//   node --import tsx tests/collectors/github/measure.ts [small|default] [--db FILE]
// - a full sync and a no-change sync of the simulated organisation, with the GitHub stand-in in a
//   child process (so its work does not count against the collector): requests, time, rows;
// - the longest event-loop block during the full sync (what an API request could have waited);
// - bulk-load throughput into DuckDB on big synthetic batches (normalised rows and raw payloads).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawRecord } from '../../../collectors/engine/hash.ts';
import { loadBatch } from '../../../collectors/engine/loader.ts';
import { emptyBatch } from '../../../collectors/engine/types.ts';
import { GITHUB_RAW_RULES } from '../../../collectors/github/collector.ts';
import { deriveDeployments } from '../../../collectors/github/derive.ts';
import { createSyncService } from '../../../collectors/index.ts';
import { parseConfig } from '../../../server/config/load.ts';
import { openDatabase } from '../../../server/db/index.ts';

const size = (process.argv[2] ?? 'small') as 'small' | 'default';
const dir = mkdtempSync(join(tmpdir(), 'vigil-measure-'));

interface StandIn {
  url: string;
  teams: unknown;
  stop(): void;
}

/** The stand-in in its own process (measure-standin.ts), so its CPU is not the collector's. */
function startStandIn(): Promise<StandIn> {
  const child = fork(fileURLToPath(new URL('./measure-standin.ts', import.meta.url)), [size], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { url: string; teams: unknown }) => resolve({ ...message, stop: () => child.kill() }));
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
}

/** The longest gap between 5 ms ticks: how long the event loop was blocked at worst. */
function watchEventLoop(): () => number {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    return worst;
  };
}

async function measureSync() {
  const standIn = await startStandIn();
  const database = join(dir, 'sync.duckdb');
  const config = parseConfig('measure.yaml', {
    database,
    github: { baseUrl: standIn.url, historyDays: 3650 },
    teams: standIn.teams,
  });
  const db = await openDatabase(database);
  const service = await createSyncService(db, config, { env: { GITHUB_TOKEN: 'measure-token' }, afterSync: null, log: () => {} });
  try {
    const stopWatch = watchEventLoop();
    const full = await service.run('github', 'cli');
    const blockedMs = stopWatch();
    const quiet = await service.run('github', 'cli');
    return {
      full: {
        status: full.status,
        seconds: full.durationMs / 1000,
        requests: full.requests,
        rowsWritten: full.recordsWritten,
        loadRowsPerSecond: Math.round((full.load.rows / full.load.ms) * 1000),
        longestEventLoopBlockMs: Math.round(blockedMs),
      },
      noChange: {
        status: quiet.status,
        seconds: quiet.durationMs / 1000,
        requests: quiet.requests,
        rowsWritten: quiet.recordsWritten,
      },
      tables: full.tables,
    };
  } finally {
    await service.stop();
    await db.close();
    standIn.stop();
  }
}

/** Big batches of synthetic deployments (1 KB payloads) with two statuses each, into a file database. */
async function measureLoad(batchSize: number, batches: number) {
  const db = await openDatabase(join(dir, `load-${batchSize}.duckdb`));
  let id = 1;
  let statusId = 1;
  let normalised = 0;
  let raw = 0;
  let ms = 0;
  let blocked = 0;
  for (let b = 0; b < batches; b++) {
    const batch = emptyBatch();
    const deployments = [];
    const statuses = [];
    const ids: string[] = [];
    for (let i = 0; i < batchSize; i++, id++) {
      const created = new Date(1.7e12 + id * 60_000).toISOString();
      const record = rawRecord({
        stream: 'deployments',
        scope: 'acme/load',
        recordKey: String(id),
        requestUrl: 'https://api.github.com/repos/acme/load/deployments',
        fetchedAt: created,
        payload: { id, sha: 'a'.repeat(40), environment: 'production', created_at: created, padding: 'x'.repeat(900) },
      });
      batch.raw.push(record);
      ids.push(String(id));
      deployments.push({
        id: String(id),
        repo: 'acme/load',
        source: 'deployments',
        github_id: id,
        sha: 'a'.repeat(40),
        ref: 'main',
        task: 'deploy',
        environment: 'production',
        creator: 'ana',
        created_at: created,
        updated_at: created,
        raw_hash: record.payloadHash,
        synced_at: created,
      });
      for (const state of ['in_progress', 'success']) {
        const at = new Date(Date.parse(created) + (state === 'success' ? 120_000 : 60_000)).toISOString();
        const status = rawRecord({
          stream: 'deployment_statuses',
          scope: 'acme/load',
          recordKey: String(statusId),
          requestUrl: 'https://api.github.com/repos/acme/load/deployments/x/statuses',
          fetchedAt: created,
          payload: { id: statusId, state, created_at: at, padding: 'y'.repeat(600) },
        });
        batch.raw.push(status);
        statuses.push({
          id: statusId++,
          deployment_id: String(id),
          repo: 'acme/load',
          state,
          environment: 'production',
          description: null,
          creator: 'ana',
          log_url: null,
          created_at: at,
          raw_hash: status.payloadHash,
          synced_at: created,
        });
      }
    }
    batch.rows.push({ table: 'deployments', rows: deployments }, { table: 'deployment_statuses', rows: statuses });
    batch.after.push(deriveDeployments(ids));
    batch.cursors.push({ stream: 'deployments', scope: 'acme/load', cursor: { top: id } });
    // Only the load is watched: building the synthetic batch is this script's work, not Vigil's.
    const stopWatch = watchEventLoop();
    const result = await loadBatch(db, batch, { source: 'github', runId: 1, rawRules: GITHUB_RAW_RULES });
    blocked = Math.max(blocked, stopWatch());
    ms += result.ms;
    normalised += result.rowsOffered;
    raw += result.rawOffered;
  }
  await db.close();
  return {
    batchSize: `${batchSize} deployments (+${batchSize * 2} statuses, ${batchSize * 3} raw payloads)`,
    batches,
    rowsPerSecond: Math.round(((normalised + raw) / ms) * 1000),
    normalisedRowsPerSecond: Math.round((normalised / ms) * 1000),
    longestEventLoopBlockMs: Math.round(blocked),
  };
}

try {
  const sync = await measureSync();
  const load = [await measureLoad(1_000, 5), await measureLoad(10_000, 4), await measureLoad(40_000, 3)];
  console.log(JSON.stringify({ size, sync, load }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
