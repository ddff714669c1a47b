// Entry point of the simulated organisation: `createOrg({ seed, size, anchor })` gives the
// OrgStore the GitHub and PagerDuty stand-ins serve. Same seed, size and anchor, same records.
import type { OrgOptions, OrgStore } from './model.ts';
import { SimulatedOrg, storeOf, validateOptions } from './store.ts';

export { type VigilConfigOptions, vigilConfigFor, writeVigilConfig } from './config.ts';
export type * from './model.ts';

export async function createOrg(options: OrgOptions): Promise<OrgStore> {
  const anchor = validateOptions(options);
  return storeOf(new SimulatedOrg(options, anchor));
}
