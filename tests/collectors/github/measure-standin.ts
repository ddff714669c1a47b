// The GitHub stand-in over the simulated organisation, in its own process, for measure.ts: it
// sends the parent its URL and the config's teams, then serves until killed.
import { startGitHubStandIn } from '../../stand-ins/github/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import { ANCHOR, teamsFor } from './support.ts';

const size = (process.argv[2] ?? 'small') as 'small' | 'default';
const store = await createOrg({ seed: 7, size, anchor: ANCHOR });
// Budgets out of the way: this measures the collector, not the rate limits.
const gh = await startGitHubStandIn({
  store,
  token: 'measure-token',
  logLimit: 0,
  rateLimit: { limit: 1_000_000_000, pointsPerMinute: 1_000_000_000 },
});
process.send?.({ url: gh.url, teams: teamsFor(store) });
process.on('SIGTERM', () => {
  void gh.close().then(() => process.exit(0));
});
