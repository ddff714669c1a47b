// The filters every page shares (date range as a preset or custom dates, team, service,
// repository, severity, grain), read from and written to the URL. The parsing and serialising are
// pure functions (tested without a browser); FilterModel ties them to the router.
import { computed } from '@preact/signals';
import type { Query } from '../api/client.ts';
import type { Grain } from '../api/types.ts';
import { DEFAULT_PRESET, findPreset, isIsoDate, suggestedGrain } from '../lib/dates.ts';
import type { ParamPatch, RouterModel } from './router.ts';

export const grains: readonly Grain[] = ['day', 'week', 'month', 'quarter'];
export const severities = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export const listFilters = ['team', 'service', 'repo', 'severity'] as const;
export type ListFilter = (typeof listFilters)[number];

export interface FilterState {
  /** The preset id (range=90d), or null for custom dates. */
  preset: string | null;
  from: string;
  to: string;
  /** The grain in the URL, or null when the page picks its default. */
  grain: Grain | null;
  team: string[];
  service: string[];
  repo: string[];
  severity: string[];
}

export interface FilterPatch {
  preset?: string;
  from?: string;
  to?: string;
  grain?: Grain | null;
  team?: string[];
  service?: string[];
  repo?: string[];
  severity?: string[];
}

function list(params: URLSearchParams, key: string): string[] {
  return [
    ...new Set(
      params
        .getAll(key)
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

/** The filters a URL describes; anything missing or malformed falls back to the defaults. */
export function parseFilters(params: URLSearchParams, today: string): FilterState {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const grainText = params.get('grain');
  const grain = grains.includes(grainText as Grain) ? (grainText as Grain) : null;
  const base = {
    grain,
    team: list(params, 'team'),
    service: list(params, 'service'),
    repo: list(params, 'repo'),
    severity: list(params, 'severity').filter((s) => (severities as readonly string[]).includes(s)),
  };
  if (isIsoDate(from) && isIsoDate(to) && from <= to) return { preset: null, from, to, ...base };
  const preset = findPreset(params.get('range')) ?? findPreset(DEFAULT_PRESET);
  const range = preset ? preset.range(today) : { from: today, to: today };
  return { preset: preset?.id ?? null, ...range, ...base };
}

/** The URL parameters a filter change sets (a preset clears custom dates and the reverse). */
export function filterPatch(patch: FilterPatch): ParamPatch {
  const out: ParamPatch = {};
  if (patch.preset !== undefined) {
    out.range = patch.preset === DEFAULT_PRESET ? null : patch.preset;
    out.from = null;
    out.to = null;
  }
  if (patch.from !== undefined || patch.to !== undefined) {
    out.range = null;
    if (patch.from !== undefined) out.from = patch.from;
    if (patch.to !== undefined) out.to = patch.to;
  }
  if (patch.grain !== undefined) out.grain = patch.grain;
  for (const key of listFilters) if (patch[key] !== undefined) out[key] = patch[key];
  return out;
}

/** The grain to use: the URL's, else the page's default, else one that suits the range. */
export function effectiveGrain(state: FilterState, pageDefault?: Grain): Grain {
  return state.grain ?? pageDefault ?? suggestedGrain(state.from, state.to);
}

/** The API's query shape for these filters (server/metrics/query.ts). */
export function apiQuery(state: FilterState, options: { grain?: Grain; only?: readonly ListFilter[] } = {}): Query {
  const q: Query = { from: state.from, to: state.to };
  if (options.grain) q.grain = options.grain;
  for (const key of listFilters) {
    if (options.only && !options.only.includes(key)) continue;
    if (state[key].length > 0) q[key] = state[key];
  }
  return q;
}

/** How many list filters are set (for the "clear filters" button). */
export function activeFilterCount(state: FilterState): number {
  return listFilters.reduce((n, key) => n + state[key].length, 0);
}

export class FilterModel {
  readonly state = computed(() => parseFilters(this.router.params.value, this.today()));

  constructor(
    private readonly router: RouterModel,
    private readonly today: () => string,
  ) {}

  update(patch: FilterPatch): void {
    this.router.setParams(filterPatch(patch));
  }

  clearLists(): void {
    this.router.setParams({ team: null, service: null, repo: null, severity: null });
  }
}
