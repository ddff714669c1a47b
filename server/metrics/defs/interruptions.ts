// Interruptions: several pages to one person within the interruption window (5 min) are one
// interruption. A page more than the window after the *first* page of the current interruption
// starts a new one (so a page every 4 minutes does not make one endless interruption). Counted
// per person, bucketed by the interruption's first page.
import { aggregate, filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { pageDims, pageSource } from './pages.ts';

export const interruptions: MetricDefinition = {
  name: 'interruptions',
  title: 'Interruptions',
  unit: 'interruptions',
  kind: 'count',
  definition:
    'Pages to one person grouped into interruptions: a page more than the interruption window (5 min) after the first page of the current interruption starts a new one. Counted at the first page of each interruption, with the hour class of that page.',
  dimensions: pageDims,
  groupBy: ['team', 'service', 'severity', 'person', 'schedule'],
  columns: [
    { name: 'n', description: 'Interruptions', unit: 'interruptions' },
    { name: 'offHours', description: 'Starting in off hours', unit: 'interruptions' },
    { name: 'sleep', description: 'Starting in sleep hours', unit: 'interruptions' },
    { name: 'pages', description: 'Pages', unit: 'pages' },
    { name: 'pagesPerInterruption', description: 'pages / n', unit: 'pages' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, pageSource, {
      n: 'count(*) FILTER (WHERE interruption_start)',
      off: "count(*) FILTER (WHERE interruption_start AND hour_class = 'off')",
      sleep: "count(*) FILTER (WHERE interruption_start AND hour_class = 'sleep')",
      pages: 'count(*)',
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        n: num(r.n),
        offHours: num(r.off),
        sleep: num(r.sleep),
        pages: num(r.pages),
        pagesPerInterruption: ratio(r.pages, r.n),
      }),
      () => ({ n: 0, offHours: 0, sleep: 0, pages: 0, pagesPerInterruption: null }),
    );
    return { ...shaped, notes: filterNotes(q, pageDims) };
  },
};
