// False-positive ratio: pages from non-actionable incidents divided by all pages, per bucket of
// the page's time. An incident's label is the reviewer's when there is one, else Vigil's
// suggestion; the rows say how many pages rest on human labels and how many on suggestions.
// Pages not linked to any incident have no label: they count in `pages` and in `unlinked`.
import { aggregate, filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { pageDims, pageSource } from './pages.ts';

export const falsePositiveRatio: MetricDefinition = {
  name: 'false-positive-ratio',
  title: 'False-positive ratio',
  unit: 'ratio',
  kind: 'ratio',
  definition:
    "Pages from non-actionable incidents divided by all pages. An incident's label is the reviewer's when present, else the suggestion (non-actionable when it resolved itself within 10 min, never acknowledged, or its rule flapped: 3+ firings in 24 h each resolving itself). Reported with the pages whose label is human and suggested.",
  dimensions: pageDims,
  groupBy: ['team', 'service', 'severity', 'person', 'schedule'],
  columns: [
    { name: 'pages', description: 'All pages', unit: 'pages' },
    { name: 'nonActionable', description: 'Pages from non-actionable incidents', unit: 'pages' },
    { name: 'ratio', description: 'nonActionable / pages', unit: 'ratio' },
    { name: 'humanLabelled', description: 'Pages whose incident has a reviewer label', unit: 'pages' },
    { name: 'suggested', description: 'Pages whose incident has only a suggestion', unit: 'pages' },
    { name: 'humanNonActionable', description: 'Non-actionable by a reviewer', unit: 'pages' },
    { name: 'suggestedNonActionable', description: 'Non-actionable by suggestion', unit: 'pages' },
    { name: 'unlinked', description: 'Pages linked to no incident', unit: 'pages' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, pageSource, {
      pages: 'count(*)',
      non: "count(*) FILTER (WHERE label = 'non_actionable')",
      human: "count(*) FILTER (WHERE label_source = 'human')",
      suggested: "count(*) FILTER (WHERE label_source = 'suggested')",
      human_non: "count(*) FILTER (WHERE label = 'non_actionable' AND label_source = 'human')",
      suggested_non: "count(*) FILTER (WHERE label = 'non_actionable' AND label_source = 'suggested')",
      unlinked: 'count(*) FILTER (WHERE incident_id IS NULL)',
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        pages: num(r.pages),
        nonActionable: num(r.non),
        ratio: ratio(r.non, r.pages),
        humanLabelled: num(r.human),
        suggested: num(r.suggested),
        humanNonActionable: num(r.human_non),
        suggestedNonActionable: num(r.suggested_non),
        unlinked: num(r.unlinked),
      }),
      () => ({
        pages: 0,
        nonActionable: 0,
        ratio: null,
        humanLabelled: 0,
        suggested: 0,
        humanNonActionable: 0,
        suggestedNonActionable: 0,
        unlinked: 0,
      }),
    );
    return { ...shaped, notes: filterNotes(q, pageDims) };
  },
};
