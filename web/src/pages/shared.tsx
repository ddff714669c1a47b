// What the pages share: the current filters as an API query, drill-down queries for one bucket
// and group, and the empty-state explanations (why a chart is empty and what to check: the
// production-environment pattern, the team mapping, whether a sync has run).
import type { ComponentChildren } from 'preact';
import type { Query } from '../api/client.ts';
import type { Grain, Health } from '../api/types.ts';
import { colorAt } from '../charts/theme.ts';
import { bucketRange } from '../lib/dates.ts';
import { formatDate } from '../lib/format.ts';
import { useApp } from '../models/app-model.ts';
import type { CatalogModel } from '../models/catalog.ts';
import { apiQuery, effectiveGrain, type FilterState, type ListFilter } from '../models/filters.ts';
import { useResource } from '../models/use-resource.ts';

export interface PageQuery {
  state: FilterState;
  grain: Grain;
  /** from, to, grain and the list filters this page uses. */
  query: Query;
  /** The same without grain (records, summaries). */
  base: Query;
  rangeLabel: string;
  fileParts: string[];
}

export function usePageQuery(only: readonly ListFilter[], defaultGrain?: Grain): PageQuery {
  const { filters } = useApp();
  return pageQuery(filters.state.value, only, defaultGrain);
}

/** The page's query for a filter state (usePageQuery outside a component: prefetching). */
export function pageQuery(state: FilterState, only: readonly ListFilter[], defaultGrain?: Grain): PageQuery {
  const grain = effectiveGrain(state, defaultGrain);
  return {
    state,
    grain,
    query: apiQuery(state, { grain, only }),
    base: apiQuery(state, { only }),
    rangeLabel: `${formatDate(state.from)} – ${formatDate(state.to)}`,
    fileParts: [state.from, state.to],
  };
}

/** The records query for one bucket (and group) of a chart. */
export function bucketQuery(
  page: PageQuery,
  bucket: string | null,
  group: { by: string; value: string | null } | null,
  extra: Query = {},
): Query {
  const range = bucket ? bucketRange(bucket, page.grain, page.state) : { from: page.state.from, to: page.state.to };
  const q: Query = { ...page.base, ...range, ...extra };
  if (group && group.value !== null) {
    if (['team', 'service', 'repo', 'severity', 'person', 'schedule'].includes(group.by)) q[group.by] = [group.value];
  }
  return q;
}

export function useHealth(): Health | undefined {
  const { api } = useApp();
  return useResource<Health>(api.paths.health)?.data;
}

/** "No sync has run yet" when that is the reason, else nothing. */
export function syncNote(health: Health | undefined, source: 'github' | 'pagerduty'): ComponentChildren {
  if (!health) return null;
  const run = health.lastSync[source];
  const name = source === 'github' ? 'GitHub' : 'PagerDuty';
  if (!run) {
    return (
      <li>
        No {name} sync has run yet: start one on the <a href="/sync">Sync page</a> (or run <code>vigil sync</code>).
      </li>
    );
  }
  if (run.status === 'failed') {
    return (
      <li>
        The last {name} sync failed{run.error ? `: ${run.error}` : ''}. See the <a href="/sync">Sync page</a>.
      </li>
    );
  }
  if (run.status === 'running') return <li>A {name} sync is running; numbers appear as it commits.</li>;
  return null;
}

/** Why there are no deployments: the range, the team's repositories, the production pattern. */
export function deploymentsEmptyHint(catalog: CatalogModel, state: FilterState, health: Health | undefined): ComponentChildren {
  const repos = catalog.repos.value.filter(
    (r) => (state.team.length === 0 || state.team.includes(r.team)) && (state.repo.length === 0 || state.repo.includes(r.name)),
  );
  const unmatched = repos.filter((r) => r.mapped && (r.productionEnvironments ?? []).length === 0);
  return (
    <ul>
      {syncNote(health, 'github')}
      <li>
        The range {formatDate(state.from)} – {formatDate(state.to)} may hold no successful production deployment: try a longer
        range.
      </li>
      {repos.length === 0 ? (
        <li>
          No repository is mapped to the selected teams: add them under <code>teams[].repos</code> in the config.
        </li>
      ) : null}
      {unmatched.slice(0, 4).map((r) => (
        <li key={r.name}>
          <code>{r.name}</code> has no environment matching its production pattern{' '}
          <code>{r.productionPattern ?? '^(prod|production)$'}</code>
          {(r.otherEnvironments ?? []).length > 0 ? (
            <>
              {' '}
              (seen: {(r.otherEnvironments ?? []).slice(0, 4).join(', ')}): set <code>productionPattern</code> for it.
            </>
          ) : (
            <> and no deployments at all: does it deploy through GitHub deployments or a workflow?</>
          )}
        </li>
      ))}
    </ul>
  );
}

export function incidentsEmptyHint(catalog: CatalogModel, state: FilterState, health: Health | undefined): ComponentChildren {
  const teams = catalog.teams.value.filter((t) => state.team.length === 0 || state.team.includes(t.id));
  const noServices = teams.filter((t) => t.id !== 'unassigned' && t.services.length === 0);
  return (
    <ul>
      {syncNote(health, 'pagerduty')}
      <li>
        No incident in {formatDate(state.from)} – {formatDate(state.to)} matches the filters: try a longer range or fewer filters.
      </li>
      {noServices.length > 0 ? (
        <li>
          {noServices.map((t) => t.name).join(', ')} {noServices.length === 1 ? 'has' : 'have'} no PagerDuty services mapped (
          <code>teams[].services</code>); their incidents count under Unassigned.
        </li>
      ) : null}
    </ul>
  );
}

export function pagesEmptyHint(catalog: CatalogModel, state: FilterState, health: Health | undefined): ComponentChildren {
  const channels = catalog.settings.value?.pageChannels ?? ['sms', 'phone', 'push'];
  return (
    <ul>
      {syncNote(health, 'pagerduty')}
      <li>
        No page in {formatDate(state.from)} – {formatDate(state.to)} matches the filters.
      </li>
      <li>
        Only notifications by {channels.join(', ')} count as pages (<code>onCall.pageChannels</code>); e-mail does not.
      </li>
    </ul>
  );
}

/** One colour per team, the same on every chart (the catalogue's order, unassigned last). */
export function teamColors(catalog: CatalogModel): Record<string, string> {
  const ids = [...catalog.teams.value.map((t) => t.id).filter((id) => id !== 'unassigned'), 'unassigned'];
  return Object.fromEntries(ids.map((id, i) => [id, colorAt(i)]));
}

export function groupLabeller(catalog: CatalogModel, by: string) {
  return (group: string | null) => catalog.groupName(by, group);
}
