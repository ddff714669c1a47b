// Off-hours and sleep-hour pages: each page placed in the recipient's own time zone (real zone
// rules, so daylight-saving changes are right): business hours 08:00-18:00 on business days, sleep
// hours 22:00-08:00, off hours the rest (18:00-22:00 on business days and all waking hours of
// other days). A page at 21:59 is off hours, at 22:00 sleep hours.
import { aggregate, filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { pageDims, pageSource } from './pages.ts';

export const offHoursPages: MetricDefinition = {
  name: 'off-hours-pages',
  title: 'Off-hours and sleep-hour pages',
  unit: 'pages',
  kind: 'count',
  definition:
    "Pages in the recipient's own time zone outside business hours (configurable; default 08:00-18:00 Mon-Fri): off hours (18:00-22:00 on weekdays and weekend days) and sleep hours (22:00-08:00). A page at 21:59 is off hours, at 22:00 sleep hours.",
  dimensions: pageDims,
  groupBy: ['team', 'service', 'severity', 'person', 'schedule'],
  columns: [
    { name: 'n', description: 'Pages', unit: 'pages' },
    { name: 'offHours', description: 'Off-hours pages (not sleep)', unit: 'pages' },
    { name: 'sleep', description: 'Sleep-hour pages', unit: 'pages' },
    { name: 'outsideBusiness', description: 'offHours + sleep', unit: 'pages' },
    { name: 'outsideBusinessShare', description: 'outsideBusiness / n', unit: 'ratio' },
    { name: 'sleepShare', description: 'sleep / n', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, pageSource, {
      n: 'count(*)',
      off: "count(*) FILTER (WHERE hour_class = 'off')",
      sleep: "count(*) FILTER (WHERE hour_class = 'sleep')",
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        n: num(r.n),
        offHours: num(r.off),
        sleep: num(r.sleep),
        outsideBusiness: num(r.off) + num(r.sleep),
        outsideBusinessShare: ratio(num(r.off) + num(r.sleep), r.n),
        sleepShare: ratio(r.sleep, r.n),
      }),
      () => ({ n: 0, offHours: 0, sleep: 0, outsideBusiness: 0, outsideBusinessShare: null, sleepShare: null }),
    );
    return { ...shaped, notes: filterNotes(q, pageDims) };
  },
};
