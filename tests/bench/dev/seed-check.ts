// Development aid: seed a size in-process (tests/bench/seed) into <dir>/seeded.duckdb, for comparing
// with a database synced over HTTP (dev/seed-compare.ts).
//   node --import tsx tests/bench/dev/seed-check.ts <size> <dir> <githubUrl> <pagerdutyUrl> [anchor]
import { join } from 'node:path';
import { seedDatabase } from '../seed/seed.ts';

const [size, dir, githubUrl, pagerdutyUrl, anchor] = process.argv.slice(2);
const figures = await seedDatabase({
  database: join(dir as string, 'seeded.duckdb'),
  seed: 1,
  size: size as 'small',
  anchor: anchor ?? `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`,
  githubUrl: githubUrl as string,
  pagerdutyUrl: pagerdutyUrl as string,
});
console.log(JSON.stringify(figures, null, 2));
