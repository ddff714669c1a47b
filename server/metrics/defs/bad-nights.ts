// Bad nights: person-nights with more than two sleep-hour interruptions (config
// onCall.badNightInterruptions, default 3 or more), bucketed by the night's date.
import { filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { nightRows } from './nights.ts';
import { pageDims } from './pages.ts';

export const badNights: MetricDefinition = {
  name: 'bad-nights',
  title: 'Bad nights',
  unit: 'nights',
  kind: 'count',
  definition:
    "Person-nights with at least the configured number of sleep-hour interruptions (default 3: more than two). Interruptions are counted where they start; the night belongs to the date it starts on in the person's zone.",
  dimensions: pageDims,
  groupBy: ['team', 'service', 'severity', 'person', 'schedule'],
  columns: [
    { name: 'n', description: 'Bad person-nights', unit: 'nights' },
    { name: 'nightsInterrupted', description: 'Person-nights with a sleep-hour page', unit: 'nights' },
    { name: 'badShare', description: 'n / nightsInterrupted', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await nightRows(ctx, q);
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({ n: num(r.bad), nightsInterrupted: num(r.nights), badShare: ratio(r.bad, r.nights) }),
      () => ({ n: 0, nightsInterrupted: 0, badShare: null }),
    );
    return {
      ...shaped,
      notes: [
        ...filterNotes(q, pageDims),
        `A bad night has ${ctx.config.onCall.badNightInterruptions} or more sleep-hour interruptions.`,
      ],
    };
  },
};
