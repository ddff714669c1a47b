// The benchmark's in-process seeder, in a process of its own: builds a Vigil database for a
// simulated organisation WITHOUT HTTP, for the sizes whose backfill over HTTP is out of reach
// (the large organisation is ~1.9M deployments: ≥ 3.8M GitHub requests, ~3 hours at the stand-ins'
// ~350 requests/s on 2 cores, about a month at api.github.com's 5,000 an hour). The organisation
// is generated here, its lists are asked of the stand-ins' own handlers in-process (the payloads a
// sync would receive; the base URLs are the bench's stand-ins' fixed ones, so the JSON and its
// hashes are byte for byte what a later sync fetches), and every record goes through the
// collectors' schemas, normalise functions, loader and derivations, then the config is applied and
// the derived tables get the full refresh Vigil runs after a renormalize. Left out: the network,
// the collectors' cursors (the bench's first sync over HTTP establishes them) and the raw payload
// log (for the large organisation, tens of gigabytes the endpoints never read).
//   forked by tests/bench/seed/seed.ts; RPC: seed(...)
import { rmSync } from 'node:fs';
import { applyConfig } from '../../../server/config/apply.ts';
import { parseConfig } from '../../../server/config/load.ts';
import { openDatabase } from '../../../server/db/index.ts';
import { refreshDerived } from '../../../server/metrics/refresh.ts';
import { vigilConfigFor } from '../../stand-ins/org/config.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import type { OrgSize } from '../../stand-ins/org/model.ts';
import { memory, serveRpc } from '../rpc.ts';
import { seedGitHub } from './github.ts';
import { seedPagerDuty } from './pagerduty.ts';

export interface SeedArgs {
  database: string;
  seed: number;
  size: OrgSize;
  anchor: string;
  githubUrl: string;
  pagerdutyUrl: string;
}

const log = (line: string) => process.stderr.write(`seed: ${line}\n`);

serveRpc({
  async seed(args: SeedArgs) {
    const started = performance.now();
    const store = await createOrg({ seed: args.seed, size: args.size, anchor: args.anchor });
    const generationMs = Math.round(performance.now() - started);
    log(`organisation generated in ${(generationMs / 1000).toFixed(1)} s; clock ${store.clock()}`);
    const raw = vigilConfigFor(store, {
      githubBaseUrl: args.githubUrl,
      pagerdutyBaseUrl: args.pagerdutyUrl,
      database: args.database,
    });
    const config = parseConfig('bench.yaml', raw);
    for (const f of [args.database, `${args.database}.wal`]) rmSync(f, { force: true });
    // The full derived-table refresh of the large volume needs several GB of DuckDB memory (out of
    // memory at 2 and 4 GB on the synthetic dataset, 5.9 GB peak RSS at 10 GB): far above Vigil's default.
    const db = await openDatabase(args.database, { memoryLimit: args.size === 'large' ? '10GB' : '2GB' });
    try {
      await applyConfig(db, config);
      // What a sync stamps as synced_at: the wall time of the fetch.
      const fetchedAt = new Date().toISOString();
      const repos = config.teams.flatMap((t) =>
        t.repos.map((r) => ({
          name: r.name,
          productionPattern: r.productionPattern,
          ...(r.workflow ? { workflow: { file: r.workflow.file, branch: r.workflow.branch } } : {}),
        })),
      );
      const github = await seedGitHub(db, store, repos, args.githubUrl, fetchedAt, log);
      log(
        `github: ${github.offered.toLocaleString('en-US')} rows in ${(github.ms / 1000).toFixed(0)} s (loads ${(github.loadMs / 1000).toFixed(0)} s)`,
      );
      const pagerduty = await seedPagerDuty(
        db,
        store,
        { baseUrl: args.pagerdutyUrl, historyDays: config.pagerduty.historyDays, fetchedAt },
        log,
      );
      log(`pagerduty: ${pagerduty.offered.toLocaleString('en-US')} rows in ${(pagerduty.ms / 1000).toFixed(0)} s`);
      const t = performance.now();
      const refresh = await refreshDerived(db, config, { full: true });
      const refreshMs = Math.round(performance.now() - t);
      log(`derived tables: full refresh in ${(refreshMs / 1000).toFixed(0)} s`);
      return {
        clock: store.clock(),
        generationMs,
        github,
        pagerduty,
        refreshMs,
        refreshSteps: refresh.steps ?? null,
        wallMs: Math.round(performance.now() - started),
        peakRss: memory().peakRss,
      };
    } finally {
      await db.close();
      await store.close();
    }
  },
});
