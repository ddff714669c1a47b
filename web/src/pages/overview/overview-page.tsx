// Overview, for leadership: per team the four DORA metrics plus rework rate with their levels and
// the thresholds, the team comparison, and the trends by month or quarter.
import type { ApiClient } from '../../api/client.ts';
import type { DoraSummary } from '../../api/types.ts';
import { FilterBar } from '../../components/filter-bar.tsx';
import { Grid, Page, Section } from '../../components/layout.tsx';
import { hrefWith } from '../../components/link.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { type AppModel, useApp } from '../../models/app-model.ts';
import { useResource } from '../../models/use-resource.ts';
import { type PageQuery, pageQuery, usePageQuery } from '../shared.tsx';
import { DoraMetricCard, doraInfo } from './dora-cards.tsx';
import { TeamTable } from './team-table.tsx';
import { DoraTrends, trendUrls } from './trends.tsx';

const FILTERS = ['team', 'repo'] as const;
const summaryUrl = (api: ApiClient, page: PageQuery, params: URLSearchParams) =>
  api.doraUrl({ ...page.base, thresholds: params.get('thresholds') ?? 'latest' });

/**
 * Ask for the page's answers as soon as the settings (the time zone that dates the default range)
 * and this code are in, while the rest of the catalogue still loads: the page renders only after
 * it, and its requests used to start only then. The charts read the same URLs.
 */
export function prefetch(app: AppModel): void {
  const page = pageQuery(app.filters.state.value, FILTERS, 'month');
  const params = app.router.params.value;
  app.data.prefetch(summaryUrl(app.api, page, params));
  for (const url of Object.values(trendUrls(app.api, page, params.get('compare') === 'team'))) app.data.prefetch(url);
}

export default function OverviewPage() {
  const { api, router, catalog, data, filters } = useApp();
  const page = usePageQuery(FILTERS, 'month');
  const params = router.params.value;
  const thresholds = params.get('thresholds') ?? 'latest';
  const byTeam = params.get('compare') === 'team';
  const summary = useResource<DoraSummary>(summaryUrl(api, page, params));
  const s = summary?.data;
  const scope = page.state.team.length === 0 ? 'All teams' : page.state.team.map((t) => catalog.teamName(t)).join(', ');

  return (
    <Page
      title="Overview"
      subtitle={
        <>
          Software delivery performance against the DORA benchmarks{s ? <> ({s.thresholds.title})</> : null}, {page.rangeLabel}.
        </>
      }
      actions={
        <label class="field">
          <span class="field-label">Benchmarks</span>
          <select
            name="thresholds"
            value={thresholds}
            onChange={(e) =>
              router.setParams({
                thresholds: (e.target as HTMLSelectElement).value === 'latest' ? null : (e.target as HTMLSelectElement).value,
              })
            }
          >
            <option value="latest">Newest complete</option>
            {(s?.available ?? []).map((v) => (
              <option key={v.id} value={v.id}>
                {v.title}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <FilterBar filters={['team', 'repo']} grain="month" grainChoices={['week', 'month', 'quarter']} />
      <Section
        title={scope}
        description="Each metric with its level and the published band that decided it. A team's overall level is its lowest of the four."
      >
        {!summary || (summary.status === 'loading' && !s) ? (
          <Loading height={220} />
        ) : summary.status === 'error' && !s ? (
          <ErrorState
            error={summary.error}
            onRetry={() => data.retry(summaryUrl(api, page, params))}
            onClearFilters={() => filters.clearLists()}
          />
        ) : s?.organisation ? (
          <Grid min={13}>
            {doraInfo.map((info) => (
              <DoraMetricCard
                key={info.key}
                info={info}
                group={s.organisation as NonNullable<DoraSummary['organisation']>}
                summary={s}
                base={page.base}
              />
            ))}
          </Grid>
        ) : null}
      </Section>
      <Section title="Team comparison" description="Sort by any column. A team links to its deployments.">
        {s ? (
          <div class="card">
            <TeamTable summary={s} teamHref={(team) => hrefWith('/deployments', { ...page.base, team: [team] })} />
          </div>
        ) : (
          <Loading height={160} />
        )}
      </Section>
      <Section
        title="Trends"
        description="Click a bar or point for the records behind it."
        actions={
          <fieldset class="segmented">
            <legend class="sr-only">Lines</legend>
            <button
              type="button"
              aria-pressed={!byTeam}
              class={!byTeam ? 'on' : ''}
              onClick={() => router.setParams({ compare: null })}
            >
              All together
            </button>
            <button
              type="button"
              aria-pressed={byTeam}
              class={byTeam ? 'on' : ''}
              data-compare="team"
              onClick={() => router.setParams({ compare: 'team' })}
            >
              By team
            </button>
          </fieldset>
        }
      >
        <Grid>
          <DoraTrends page={page} byTeam={byTeam} />
        </Grid>
        {s?.thresholds.notes.length ? (
          <ul class="notes">
            {s.thresholds.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
      </Section>
    </Page>
  );
}
