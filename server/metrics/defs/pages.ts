// Pages: notifications of the configured page channels (SMS, phone, push by default; e-mail is
// not a page), per bucket of the time they were sent, with the hour class in the recipient's own
// zone and the interruptions they started.
import { aggregate, filterNotes, num, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';

export const pageDims = {
  team: 'team_id',
  service: 'service_id',
  severity: 'severity',
  person: 'user_id',
  schedule: 'oncall_schedule_id',
} as const;
export const pageSource = { from: 'd_pages', time: 'started_at', day: 'started_day', dims: pageDims };

export const pages: MetricDefinition = {
  name: 'pages',
  title: 'Pages',
  unit: 'pages',
  kind: 'count',
  definition:
    "Notifications that interrupt a person (the configured page channels: SMS, phone and push by default, e-mail excluded), per bucket of the time sent. Each is placed in the recipient's own time zone: business hours (08:00-18:00 Mon-Fri), off hours (18:00-22:00 weekdays and weekend days) or sleep hours (22:00-08:00). Team via the incident's service, else the on-call schedule.",
  dimensions: pageDims,
  groupBy: ['team', 'service', 'severity', 'person', 'schedule'],
  columns: [
    { name: 'n', description: 'Pages', unit: 'pages' },
    { name: 'interruptions', description: 'Interruptions the pages started', unit: 'interruptions' },
    { name: 'business', description: 'Pages in business hours', unit: 'pages' },
    { name: 'offHours', description: 'Pages in off hours (not sleep)', unit: 'pages' },
    { name: 'sleep', description: 'Pages in sleep hours', unit: 'pages' },
    { name: 'onCall', description: 'Pages received while on call', unit: 'pages' },
    { name: 'people', description: 'People paged', unit: 'people' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, pageSource, {
      n: 'count(*)',
      interruptions: 'count(*) FILTER (WHERE interruption_start)',
      business: "count(*) FILTER (WHERE hour_class = 'business')",
      off: "count(*) FILTER (WHERE hour_class = 'off')",
      sleep: "count(*) FILTER (WHERE hour_class = 'sleep')",
      on_call: 'count(*) FILTER (WHERE on_call)',
      people: 'count(DISTINCT user_id)',
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        n: num(r.n),
        interruptions: num(r.interruptions),
        business: num(r.business),
        offHours: num(r.off),
        sleep: num(r.sleep),
        onCall: num(r.on_call),
        people: num(r.people),
      }),
      () => ({ n: 0, interruptions: 0, business: 0, offHours: 0, sleep: 0, onCall: 0, people: 0 }),
    );
    return { ...shaped, notes: filterNotes(q, pageDims) };
  },
};
