// The benchmark's results: their shape (also the JSON file's), the table printed at the end, and
// the verdict on every target of issue 9 (and the demo's, issue 3).
import type { CsvFigures } from './csv-export.ts';
import type { DemoFigures } from './demo-phase.ts';
import type { AfterChangeFigures, EndpointFigures } from './endpoints.ts';
import type { LoadResult } from './http.ts';
import type { SyntheticMeta } from './synthetic.ts';
import { atLeast, atMost, shortPath, type Verdict, worstEndpoint } from './targets.ts';
import type { BenchSize, MinimumRequests, SyncFigures } from './types.ts';
import type { UpsertFigures } from './upsert.ts';
import type { BundleFigures, PageTiming } from './web.ts';
import type { SeededMeta } from './world.ts';

export interface ProbeFigures {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export interface BenchResults {
  meta: {
    size: BenchSize;
    seed: number;
    anchor: string;
    quick: boolean;
    startedAt: string;
    seconds: number;
    commit: string | null;
    machine: { cpus: number; model: string; memoryGb: number; node: string; loadAverage: number[] };
    organisation: { repos: number; teams: number; generationMs: number; records: Record<string, number> | null };
  };
  backfill?: SyncFigures & {
    fromCache: { builtAt: string; commit: string | null } | null;
    minimum: MinimumRequests | null;
    probe: ProbeFigures | null;
    databaseBytes: number | null;
    /**
     * The large organisation's backfill over HTTP, which takes several runs: this run's figures
     * (above) are one part of it; null when the whole backfill ran in this run.
     */
    progress: {
      run: number;
      complete: boolean;
      requestsSoFar: { github: number; pagerduty: number };
      secondsSoFar: number;
    } | null;
  };
  /** The large organisation's database: seeded in-process, not synced over HTTP (tests/bench/seed). */
  seeded?: SeededMeta & { fromCache: boolean };
  /** Or the large synthetic dataset (tests/bench/synthetic.ts): same volume, not the organisation. */
  synthetic?: SyntheticMeta & { fromCache: boolean };
  noChange?: SyncFigures;
  web?: { bundle: BundleFigures; pages: (PageTiming & { cache: 'cold' | 'warm' })[] };
  endpoints?: EndpointFigures[];
  /** The first view of each endpoint after a data change, once the cache warmer ran. */
  afterChange?: AfterChangeFigures;
  csv?: CsvFigures & { kind: string };
  load?: LoadResult & { clients: number; syncs: number; syncRequests: number; probe: ProbeFigures; endpoints: number };
  upsert?: UpsertFigures;
  demo?: DemoFigures;
  targets: Verdict[];
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;
const n = (x: number) => x.toLocaleString('en-US');

function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

/** Minimum requests per source (null when not computed). */
export function minimumOf(minimum: MinimumRequests | null, source: 'github' | 'pagerduty'): number | null {
  return minimum ? sum(minimum[source]) : null;
}

/** Judge every target from the figures present. */
export function judge(r: BenchResults): Verdict[] {
  const out: Verdict[] = [];
  const eps = r.endpoints ?? [];
  out.push(worstEndpoint('Endpoint p50, 1 client, cached  <= 100 ms', eps, (e) => e.warm1.p50, 100));
  out.push(worstEndpoint('Endpoint p95, 1 client, cached  <= 300 ms', eps, (e) => e.warm1.p95, 300));
  out.push(worstEndpoint('Endpoint p50, 1 client, cold    <= 100 ms', eps, (e) => e.cold1.p50, 100));
  out.push(worstEndpoint('Endpoint p95, 1 client, cold    <= 300 ms', eps, (e) => e.cold1.p95, 300));
  out.push(worstEndpoint('Endpoint p95, 8 clients, cached <= 1 s', eps, (e) => e.warm8.p95, 1000));
  out.push(worstEndpoint('Endpoint p95, 8 clients, cold   <= 1 s', eps, (e) => e.cold8.p95, 1000));
  if (r.afterChange) out.push(atMost('First view after a data change (warmed), worst <= 300 ms', r.afterChange.worst, 300, 'ms'));
  // The slow ones: endpoints whose bare SQL takes 100 ms or more.
  const slow = eps.filter((e) => e.bareSqlMs !== null && e.bareSqlMs >= 100);
  if (slow.length > 0) {
    const ratios = slow.map((e) => ({ e, ratio: e.cold1.p50 / (e.bareSqlMs as number) })).sort((a, b) => b.ratio - a.ratio);
    const worst = ratios[0] as { e: EndpointFigures; ratio: number };
    const v = atMost('Cold p50 / bare SQL (slow ones)  <= 0.5', Math.round(worst.ratio * 100) / 100, 0.5, 'x');
    out.push({
      ...v,
      value: `${v.value} worst (${shortPath(worst.e.path)})`,
      margin: `${ratios.filter((x) => x.ratio > 0.5).length} of ${slow.length} over; ${v.margin}`,
    });
  } else
    out.push({
      target: 'Cold p50 / bare SQL (slow ones)  <= 0.5',
      value: eps.length ? 'no endpoint has bare SQL >= 100 ms' : '-',
      result: eps.length ? 'PASS' : 'SKIP',
      margin: '',
    });
  const b = r.backfill;
  out.push(atMost('Event loop: health probe p99 while syncing <= 100 ms', b?.probe?.p99 ?? null, 100, 'ms'));
  out.push(atMost('Event loop: health probe p99 under load + sync <= 100 ms', r.load?.probe.p99 ?? null, 100, 'ms'));
  out.push(atLeast('Upsert >= 100k rows/s', r.upsert?.vigil ?? null, 100_000, 'rows/s'));
  out.push(atLeast('Upsert >= 0.9x the bare staging upsert', r.upsert?.ratio ?? null, 0.9, 'x'));
  for (const source of ['github', 'pagerduty'] as const) {
    const target = `Backfill requests (${source}) <= 1.05x the minimum`;
    const run = b?.runs.find((x) => x.source === source);
    const minimum = minimumOf(b?.minimum ?? null, source);
    // A backfill spread over runs is judged on all its requests, once it is complete.
    const requests = b?.progress ? b.progress.requestsSoFar[source] : run?.requests;
    if (b?.progress && !b.progress.complete) {
      out.push({
        target,
        value: `${requests?.toLocaleString('en-US')} of ${minimum?.toLocaleString('en-US') ?? '?'} so far`,
        result: 'SKIP',
        margin: `backfill over HTTP incomplete after ${b.progress.run} run(s); it resumes with the next --phases backfill`,
      });
      continue;
    }
    const ratio = requests !== undefined && minimum ? Math.round((requests / minimum) * 1000) / 1000 : null;
    out.push(atMost(target, ratio, 1.05, 'x'));
  }
  const worstNoChange = r.noChange
    ? Math.max(0, ...r.noChange.runs.flatMap((run) => run.requestsPerStreamScope.map((x) => x.requests)))
    : null;
  out.push(atMost('No-change sync: requests per stream and scope <= 1', worstNoChange, 1, 'requests'));
  out.push(
    atMost(
      'No-change sync: rows written = 0',
      r.noChange ? sum(Object.fromEntries(r.noChange.runs.map((x) => [x.source, x.recordsWritten]))) : null,
      0,
      'rows',
    ),
  );
  out.push(atMost('Backfill peak memory <= 1 GB', b ? Math.round(b.peakRss / MB) : null, 1024, 'MB'));
  out.push(atLeast('CSV export >= 200k rows/s', r.csv?.rowsPerSecond ?? null, 200_000, 'rows/s'));
  out.push(atMost('CSV export memory growth <= 128 MB (constant)', r.csv ? Math.round(r.csv.rssGrowth / MB) : null, 128, 'MB'));
  out.push(atMost('Initial JavaScript <= 300 KB gzip', r.web ? Math.round(r.web.bundle.initialGzip / 1024) : null, 300, 'KB'));
  out.push(
    atMost(
      'JavaScript before the first chart <= 300 KB gzip',
      r.web?.bundle.toFirstChartGzip ? Math.round(r.web.bundle.toFirstChartGzip / 1024) : null,
      300,
      'KB',
    ),
  );
  for (const page of r.web?.pages.filter((p) => p.cache === 'cold') ?? []) {
    out.push(atMost(`First chart, ${page.path} (cold server cache) <= 1.5 s`, page.firstChartMs, 1500, 'ms'));
  }
  out.push(atMost('Errors under load = 0', r.load ? r.load.errors : null, 0, 'errors'));
  if (r.demo) out.push(atMost('Demo: data complete after first start <= 30 s', r.demo.seconds, 30, 's'));
  return out;
}

function table(headers: string[], rows: (string | number)[][], align: ('l' | 'r')[] = []): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => ((align[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The whole report as text. */
export function render(r: BenchResults): string {
  const out: string[] = [];
  const m = r.meta;
  out.push(
    `Vigil benchmark: ${r.synthetic ? `${m.size} SYNTHETIC dataset (anchor ${m.anchor.slice(0, 10)})` : `${m.size} organisation (seed ${m.seed}, anchor ${m.anchor.slice(0, 10)})`}${m.quick ? ', quick' : ''}, ` +
      `${m.seconds} s, commit ${m.commit ?? '?'}`,
  );
  out.push(
    `Machine: ${m.machine.cpus} x ${m.machine.model}, ${m.machine.memoryGb} GB, Node ${m.machine.node}, load average at start ${m.machine.loadAverage.map((x) => x.toFixed(1)).join(' ')}`,
  );
  const sy = r.synthetic;
  if (sy) {
    out.push(
      '',
      `Database: the large SYNTHETIC dataset (tests/metrics/perf/synthetic.ts, generated in SQL: ${n(sy.volume.deployments)} deployments, ` +
        `${n(sy.volume.incidents)} incidents, ${n(sy.volume.notifications)} notifications over ${sy.volume.years} years; 20 teams, 400 repositories), ` +
        `not the simulated organisation${sy.fromCache ? `, kept from ${sy.builtAt}` : ''}: generated in ${(sy.generationMs / 1000).toFixed(0)} s, ` +
        `derived tables ${(sy.refreshMs / 1000).toFixed(0)} s, ${mb(sy.databaseBytes)} on disk`,
    );
  }
  const sd = r.seeded;
  if (sd) {
    const s = sd.seeded;
    const rows = s.github.offered + s.pagerduty.offered;
    out.push(
      '',
      `Database: seeded in-process, not synced over HTTP (tests/bench/seed)${sd.fromCache ? `, kept from ${sd.builtAt} (commit ${sd.commit ?? '?'})` : ''}: ` +
        `${(s.wallMs / 60_000).toFixed(1)} min for ${n(rows)} rows (GitHub ${(s.github.ms / 1000).toFixed(0)} s, PagerDuty ${(s.pagerduty.ms / 1000).toFixed(0)} s, ` +
        `derived tables ${(s.refreshMs / 1000).toFixed(0)} s), ${mb(sd.databaseBytes)} on disk, clock ${sd.clock.slice(0, 16)}`,
    );
    const f = sd.firstSync;
    out.push(
      `First sync over HTTP after seeding: ${f.runs.map((x) => `${x.source} ${x.status}, ${n(x.requests)} requests, ${n(x.recordsWritten)} rows written`).join('; ')} ` +
        `(${(f.wallMs / 1000).toFixed(1)} s)`,
    );
  }
  const b = r.backfill;
  if (b) {
    const part = b.progress
      ? ` over HTTP, run ${b.progress.run} (${b.progress.complete ? 'complete' : 'incomplete'}; ${n(b.progress.requestsSoFar.github + b.progress.requestsSoFar.pagerduty)} requests and ${b.progress.secondsSoFar} s so far)`
      : '';
    out.push(
      '',
      `Backfill${part}${b.fromCache ? ` (from the cached run of ${b.fromCache.builtAt}, commit ${b.fromCache.commit ?? '?'})` : ''}`,
    );
    out.push(
      table(
        ['source', 'status', 'seconds', 'requests', 'minimum', 'req/min', 'req/s', 'rows written', 'load rows/s'],
        b.runs.map((run) => {
          const min = minimumOf(b.minimum, run.source);
          return [
            run.source,
            run.status,
            (run.durationMs / 1000).toFixed(1),
            n(run.requests),
            min === null ? '-' : n(min),
            min === null ? '-' : (run.requests / min).toFixed(3),
            Math.round(run.requests / (run.durationMs / 1000)),
            n(run.recordsWritten),
            run.loadMs > 0 ? n(Math.round((run.loadRows / run.loadMs) * 1000)) : '-',
          ];
        }),
      ),
    );
    out.push(
      `wall ${(b.wallMs / 1000).toFixed(1)} s (metrics refresh ${(b.refreshMs / 1000).toFixed(1)} s: ${b.refreshModes.join(', ')}), ` +
        `Vigil CPU ${(b.cpuMs / 1000).toFixed(0)} s, peak RSS ${mb(b.peakRss)}${b.peakHeapUsed ? ` (JS heap ${mb(b.peakHeapUsed)})` : ''}, event-loop delay p99 ${b.eventLoop.p99} ms (max ${b.eventLoop.max}), ` +
        `health probe p99 ${b.probe?.p99 ?? '-'} ms (max ${b.probe?.max ?? '-'}, ${b.probe?.samples ?? 0} samples)` +
        (b.databaseBytes ? `, database ${mb(b.databaseBytes)}` : ''),
    );
    for (const run of b.runs) if (run.error) out.push(`  ${run.source}: ${run.error}`);
  }
  if (r.noChange) {
    out.push('', 'No-change sync');
    out.push(
      table(
        ['source', 'status', 'seconds', 'requests', 'streams x scopes', 'most for one', 'rows written'],
        r.noChange.runs.map((run) => [
          run.source,
          run.status,
          (run.durationMs / 1000).toFixed(1),
          n(run.requests),
          run.requestsPerStreamScope.length,
          Math.max(0, ...run.requestsPerStreamScope.map((x) => x.requests)),
          n(run.recordsWritten),
        ]),
      ),
    );
  }
  if (r.endpoints?.length) {
    out.push('', 'Endpoints (ms; cold = new data version before each request; 8x cold = response cache off)');
    out.push(
      table(
        [
          'endpoint',
          'KB',
          'warm p50',
          'p95',
          'cold p50',
          'p95',
          '8x warm p95',
          '8x cold p95',
          'own SQL',
          'bare SQL',
          'cold/bare',
        ],
        r.endpoints.map((e) => [
          shortPath(e.path, 70),
          (e.bytes / 1024).toFixed(0),
          e.warm1.p50,
          e.warm1.p95,
          e.cold1.p50,
          e.cold1.p95,
          e.warm8.p95,
          e.cold8.p95,
          e.ownSqlMs,
          e.bareSqlMs ?? '-',
          e.bareSqlMs ? (e.cold1.p50 / e.bareSqlMs).toFixed(2) : '-',
        ]),
      ),
    );
    if (r.afterChange) {
      const a = r.afterChange;
      out.push(
        `After a data change: the cache warmer recomputed ${a.warmed} answers in ${n(a.warmMs)} ms; then each endpoint once: ` +
          `${a.hits} of ${a.requests} from the cache, p50 ${a.p50} ms, worst ${a.worst} ms`,
      );
    }
    const errors = r.endpoints.filter((e) => e.errors.length > 0);
    for (const e of errors) out.push(`  errors on ${e.path}: ${e.errors.join('; ')}`);
  }
  if (r.csv) {
    const c = r.csv;
    out.push(
      '',
      `CSV export (${c.kind}, ${c.path}): ${n(c.rows)} rows, ${mb(c.bytes)} in ${c.seconds} s = ${n(c.rowsPerSecond)} rows/s; ` +
        `Vigil RSS ${mb(c.rssBefore)} before, grew ${mb(c.rssGrowth)} (a tenth of the rows: ${c.rssGrowthTenth === null ? '-' : mb(c.rssGrowthTenth)})`,
    );
  }
  if (r.web) {
    const w = r.web.bundle;
    out.push(
      '',
      `Web: initial JavaScript ${(w.initialGzip / 1024).toFixed(1)} KB gzip; JavaScript before the overview's first chart ` +
        `${w.toFirstChartGzip === null ? '-' : `${(w.toFirstChartGzip / 1024).toFixed(1)} KB`}; all JavaScript ${(w.totalGzip / 1024).toFixed(1)} KB ` +
        `(largest chunk ${w.largestChunk.file} ${(w.largestChunk.gzip / 1024).toFixed(1)} KB, loaded on demand)`,
    );
    out.push(
      table(
        ['page', 'server cache', 'first chart ms', 'all charts ms', 'API requests', 'errors'],
        r.web.pages.map((p) => [p.path, p.cache, p.firstChartMs ?? '-', p.allChartsMs ?? '-', p.apiRequests, p.errors.length]),
      ),
    );
  }
  if (r.load) {
    const l = r.load;
    out.push(
      '',
      `Load: ${l.clients} clients for ${l.seconds} s on ${l.endpoints} dashboard endpoints while ${l.syncs} syncs ran (${n(l.syncRequests)} requests to the stand-ins): ` +
        `${l.perSecond} req/s, p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms, ${l.errors} errors; ` +
        `health probe p99 ${l.probe.p99} ms (max ${l.probe.max})`,
    );
    for (const e of l.errorSamples) out.push(`  ${e}`);
  }
  if (r.upsert) {
    const u = r.upsert;
    out.push(
      '',
      `Upsert (${n(u.batchRows)} rows, half changed, into ${n(u.baseRows)}): Vigil's loader ${n(u.vigil)} rows/s, bare staging upsert ${n(u.bare)} rows/s ` +
        `(${u.ratio}x); with each row's raw payload ${n(u.vigilWithRaw)} rows/s`,
    );
  }
  if (r.demo) out.push('', `Demo (vigil demo --fresh, default organisation): ${r.demo.note}`);
  out.push('', 'Targets');
  out.push(
    table(
      ['target', 'value', 'result', 'margin'],
      r.targets.map((t) => [t.target, t.value, t.result, t.margin]),
      ['l', 'l', 'l', 'l'],
    ),
  );
  return out.join('\n');
}
