// The filters above every page: a date preset or custom dates, team, service, repository,
// severity and grain. Every change goes into the URL (FilterModel), so the view is a link.
import type { Grain } from '../api/types.ts';
import { rangePresets } from '../lib/dates.ts';
import { formatDate } from '../lib/format.ts';
import { useApp } from '../models/app-model.ts';
import { activeFilterCount, effectiveGrain, grains, type ListFilter, severities } from '../models/filters.ts';
import { MultiSelect, type Option } from './multi-select.tsx';

export interface FilterBarProps {
  /** The list filters this page's numbers use. */
  filters: readonly ListFilter[];
  /** The grain the page uses when the URL has none; omit to hide the grain control. */
  grain?: Grain | 'none';
  grainChoices?: readonly Grain[];
}

const grainNames: Record<Grain, string> = { day: 'Day', week: 'Week', month: 'Month', quarter: 'Quarter' };

export function FilterBar({ filters, grain, grainChoices = grains }: FilterBarProps) {
  const { filters: model, catalog } = useApp();
  const state = model.state.value;
  const options: Record<ListFilter, Option[]> = {
    team: [...catalog.teams.value.map((t) => ({ value: t.id, label: t.name }))],
    service: catalog.services.value.map((s) => ({ value: s.id, label: s.name ?? s.id, hint: catalog.teamName(s.team) })),
    repo: catalog.repos.value.map((r) => ({ value: r.name, label: r.name, hint: catalog.teamName(r.team) })),
    severity: severities.map((s) => ({ value: s, label: s })),
  };
  const labels: Record<ListFilter, [string, string]> = {
    team: ['Team', 'All teams'],
    service: ['Service', 'All services'],
    repo: ['Repository', 'All repositories'],
    severity: ['Severity', 'All severities'],
  };
  const current = grain && grain !== 'none' ? effectiveGrain(state, grain) : null;
  const custom = state.preset === null;
  return (
    <section class="filter-bar" aria-label="Filters">
      <div class="filter-group">
        <label class="field">
          <span class="field-label">Range</span>
          <select
            name="range"
            value={custom ? 'custom' : (state.preset ?? '')}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              if (v === 'custom') model.update({ from: state.from, to: state.to });
              else model.update({ preset: v });
            }}
          >
            {rangePresets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
            <option value="custom">Custom dates…</option>
          </select>
        </label>
        {custom ? (
          <>
            <label class="field">
              <span class="field-label">From</span>
              <input
                type="date"
                name="from"
                value={state.from}
                max={state.to}
                onChange={(e) => {
                  const v = (e.target as HTMLInputElement).value;
                  if (v) model.update({ from: v, to: state.to });
                }}
              />
            </label>
            <label class="field">
              <span class="field-label">To</span>
              <input
                type="date"
                name="to"
                value={state.to}
                min={state.from}
                onChange={(e) => {
                  const v = (e.target as HTMLInputElement).value;
                  if (v) model.update({ from: state.from, to: v });
                }}
              />
            </label>
          </>
        ) : (
          <span class="range-text" title="The dates the preset covers, in the configured time zone">
            {formatDate(state.from)} – {formatDate(state.to)}
          </span>
        )}
      </div>
      <div class="filter-group">
        {filters.map((f) => (
          <MultiSelect
            key={f}
            name={f}
            label={labels[f][0]}
            allLabel={labels[f][1]}
            options={options[f]}
            selected={state[f]}
            onChange={(values) => model.update({ [f]: values })}
          />
        ))}
        {activeFilterCount(state) > 0 ? (
          <button type="button" class="link-button" onClick={() => model.clearLists()}>
            Clear filters
          </button>
        ) : null}
      </div>
      {current ? (
        <fieldset class="segmented">
          <legend class="sr-only">Grain</legend>
          {grainChoices.map((g) => (
            <button
              key={g}
              type="button"
              aria-pressed={current === g}
              class={current === g ? 'on' : ''}
              data-grain={g}
              onClick={() => model.update({ grain: g })}
            >
              {grainNames[g]}
            </button>
          ))}
        </fieldset>
      ) : null}
    </section>
  );
}
