// Nights interrupted: person-nights with at least one sleep-hour page. A night runs from 22:00
// to 08:00 in the person's own zone and belongs to the date it starts on (a page at 01:30 on
// Sunday belongs to Saturday's night), bucketed by that date.
import { filterNotes, num, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { nightRows } from './nights.ts';
import { pageDims } from './pages.ts';

export const nightsInterrupted: MetricDefinition = {
  name: 'nights-interrupted',
  title: 'Nights interrupted',
  unit: 'nights',
  kind: 'count',
  definition:
    "Person-nights with at least one sleep-hour page. A night runs from the sleep start (22:00) to the sleep end (08:00) in the person's own time zone and belongs to the date it starts on; bucketed by that date.",
  dimensions: pageDims,
  groupBy: ['team', 'service', 'severity', 'person', 'schedule'],
  columns: [
    { name: 'n', description: 'Person-nights with a sleep-hour page', unit: 'nights' },
    { name: 'sleepPages', description: 'Sleep-hour pages', unit: 'pages' },
    { name: 'sleepInterruptions', description: 'Interruptions starting in sleep hours', unit: 'interruptions' },
    { name: 'people', description: 'People woken', unit: 'people' },
  ],
  async compute(ctx, q) {
    const rows = await nightRows(ctx, q);
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({ n: num(r.nights), sleepPages: num(r.pages), sleepInterruptions: num(r.interruptions), people: num(r.people) }),
      () => ({ n: 0, sleepPages: 0, sleepInterruptions: 0, people: 0 }),
    );
    return { ...shaped, notes: filterNotes(q, pageDims) };
  },
};
