// The bench's command line (`npm run bench -- --help`): parsed and checked once, on import, into
// the size, seed, phases, dataset and how hard each phase works (plan).
import { parseArgs } from 'node:util';

export const PHASES = ['backfill', 'nochange', 'web', 'endpoints', 'csv', 'load', 'upsert', 'demo'] as const;
export type Phase = (typeof PHASES)[number];

export const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'default' },
    seed: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    phases: { type: 'string' },
    out: { type: 'string' },
    'budget-minutes': { type: 'string', default: '20' },
    dataset: { type: 'string', default: 'org' },
    seeded: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`npm run bench -- [options]
  --size small|default|large   the simulated organisation (default: default)
  --seed N                     its seed (default 1)
  --quick                      a smoke run: few repeats, a slice of the organisation
  --phases a,b,...             ${'backfill,nochange,web,endpoints,csv,load,upsert,demo'}
  --fresh                      rebuild the kept large database (or backfill the default one again)
  --dataset org|synthetic      large only: the simulated organisation seeded in-process (org), or the
                               SQL-generated synthetic dataset of the same volume (synthetic; only the
                               endpoints, csv and web phases, which need no stand-ins)
  --seeded                     small or default: seed the database in-process (kept) instead of a
                               backfill over HTTP, as the large size always does
  --budget-minutes N           large backfill over HTTP: stop after N minutes (default 20); the next
                               \`--size large --phases backfill\` resumes where it stopped
  --out FILE                   where to write the JSON (default bench-results/bench-<size>-<time>.json)
The large organisation (60 teams, 400 repositories, 5 years) is seeded in-process for every phase
but the backfill (tests/bench/seed: ~1.9M deployments would be >= 3.8M requests over HTTP, hours);
its backfill over HTTP runs on its own database with --phases backfill and resumes across runs.
`);
  process.exit(0);
}
export const size = values.size as 'small' | 'default' | 'large';
if (!['small', 'default', 'large'].includes(size)) throw new Error(`--size must be small, default or large, not "${size}".`);
export const seed = Number(values.seed);
export const quick = Boolean(values.quick);
export const phases = new Set<Phase>(
  values.phases
    ? (values.phases.split(',').map((p) => p.trim()) as Phase[])
    : PHASES.filter((p) => (p !== 'demo' || (size === 'default' && !quick)) && (p !== 'backfill' || size !== 'large')),
);
for (const p of phases) if (!PHASES.includes(p)) throw new Error(`Unknown phase "${p}"; phases: ${PHASES.join(', ')}.`);
/** The large synthetic dataset instead of the organisation (tests/bench/synthetic.ts). */
export const synthetic = values.dataset === 'synthetic';
if (!['org', 'synthetic'].includes(String(values.dataset)))
  throw new Error(`--dataset must be org or synthetic, not "${values.dataset}".`);
if (synthetic && size !== 'large') throw new Error('--dataset synthetic is the large volume: use it with --size large.');
if (synthetic) {
  if (!values.phases) for (const p of [...phases]) if (!['endpoints', 'csv', 'web'].includes(p)) phases.delete(p);
  const bad = [...phases].filter((p) => !['endpoints', 'csv', 'web'].includes(p));
  if (bad.length > 0)
    throw new Error(
      `--dataset synthetic has no stand-ins behind it: only the endpoints, csv and web phases run on it, not ${bad.join(', ')}.`,
    );
}
// Small and default organisations are backfilled over HTTP in the run itself (its database is the
// run's own) unless --seeded keeps one: without either, the reading phases would measure nothing.
const needData = ['nochange', 'web', 'endpoints', 'csv', 'load'].filter((p) => phases.has(p as Phase));
if (size !== 'large' && !values.seeded && !phases.has('backfill') && needData.length > 0)
  throw new Error(
    `The phases ${needData.join(', ')} read the ${size} organisation's data, which this run would not have: add backfill to --phases (a backfill over HTTP first), or pass --seeded (seeded in-process once and kept).`,
  );
/** The large organisation's backfill over HTTP: its own database, resumed across runs. */
export const httpBackfillMode = size === 'large' && phases.has('backfill');
if (httpBackfillMode && phases.size > 1)
  throw new Error(
    '--size large: run --phases backfill on its own (the backfill over HTTP keeps a database of its own and resumes across runs); the other phases use the database seeded in-process.',
  );
export const budgetMinutes = Number(values['budget-minutes']);
if (!(budgetMinutes > 0)) throw new Error(`--budget-minutes must be a positive number, not "${values['budget-minutes']}".`);

/** How hard each phase works: a quick run only shows that everything runs. */
export const plan = quick
  ? {
      repeats: 3,
      coldRepeats: 2,
      rounds8: 1,
      coldRounds8: 1,
      sqlRepeats: 1,
      loadClients: 10,
      loadSeconds: 2,
      baseRows: 20_000,
      batchRows: 10_000,
      upsertRuns: 1,
    }
  : size === 'large'
    ? {
        repeats: 10,
        coldRepeats: 5,
        rounds8: 3,
        coldRounds8: 2,
        sqlRepeats: 3,
        loadClients: 50,
        loadSeconds: 30,
        baseRows: 1_000_000,
        batchRows: 200_000,
        upsertRuns: 3,
      }
    : {
        repeats: 20,
        coldRepeats: 10,
        rounds8: 5,
        coldRounds8: 3,
        sqlRepeats: 5,
        loadClients: 50,
        loadSeconds: 30,
        baseRows: 1_000_000,
        batchRows: 200_000,
        upsertRuns: 3,
      };
