// Moving the simulated organisation's clock from a stand-in (the advance-clock fault and the admin
// route): new deployments, acknowledgements and resolutions then appear, as they would between
// two syncs against the real APIs.
import type { OrgStore } from '../org/model.ts';

/** Move a store's clock forward (never back: records already served must stay served). */
export function advanceClock(store: OrgStore, change: { advanceMs?: number; to?: string }): string {
  const current = Date.parse(store.clock());
  const target = change.to !== undefined ? Date.parse(change.to) : current + (change.advanceMs ?? 0);
  if (Number.isFinite(target) && target > current) store.setClock(new Date(target).toISOString().slice(0, 19) + 'Z');
  return store.clock();
}
