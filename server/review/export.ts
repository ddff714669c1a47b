// The week's review as CSV: one row per page (its rule, incident, time, recipient, the label in
// force, whether a reviewer or Vigil decided it, the reason, the note and the labeller), plus one
// row per incident of the week that paged nobody, so every labelled incident is in the file.
// Built from the same view the page shows, through the project's one CSV writer.
import { csvText } from '../lib/csv.ts';
import type { ReviewIncident, ReviewPage, ReviewRule, ReviewView } from './types.ts';

export const reviewCsvColumns = [
  'week',
  'scope',
  'rule_signature',
  'rule_title',
  'service',
  'incident_id',
  'incident_number',
  'incident_title',
  'incident_url',
  'incident_created_at',
  'page_id',
  'page_at_utc',
  'page_local_time',
  'page_zone',
  'hour_class',
  'channel',
  'recipient',
  'suggested_label',
  'suggested_because',
  'label',
  'label_source',
  'reason',
  'note',
  'labelled_by',
  'labelled_at',
  'open_follow_ups',
] as const;

type CsvRow = Record<(typeof reviewCsvColumns)[number], string | number | null>;

function row(view: ReviewView, rule: ReviewRule, incident: ReviewIncident, page: ReviewPage | null): CsvRow {
  const stored = incident.stored;
  return {
    week: view.week.start,
    scope: view.scope.key,
    rule_signature: rule.signature,
    rule_title: rule.title,
    service: rule.serviceName,
    incident_id: incident.id,
    incident_number: incident.number,
    incident_title: incident.title,
    incident_url: incident.url,
    incident_created_at: incident.createdAt,
    page_id: page?.id ?? null,
    page_at_utc: page?.at ?? null,
    page_local_time: page?.localTime ?? null,
    page_zone: page?.zone ?? null,
    hour_class: page?.hourClass ?? null,
    channel: page?.channel ?? null,
    recipient: page?.userName ?? null,
    suggested_label: incident.suggested,
    suggested_because: incident.why,
    label: stored?.label ?? incident.suggested,
    label_source: stored ? 'reviewer' : 'suggested',
    reason: stored?.reason ?? null,
    note: stored?.note ?? null,
    labelled_by: stored?.labelledBy ?? null,
    labelled_at: stored?.labelledAt ?? null,
    open_follow_ups: rule.followUps
      .filter((f) => !f.done)
      .map((f) => f.title)
      .join(' | '),
  };
}

export function reviewCsv(view: ReviewView): string {
  const rows: CsvRow[] = [];
  for (const rule of view.rules) {
    for (const incident of rule.incidents) {
      if (incident.pages.length === 0) rows.push(row(view, rule, incident, null));
      for (const page of incident.pages) rows.push(row(view, rule, incident, page));
    }
  }
  // Pages no incident could be linked to: listed so the file holds every page of the week.
  for (const page of view.unlinkedPages) {
    rows.push({
      ...Object.fromEntries(reviewCsvColumns.map((c) => [c, null])),
      week: view.week.start,
      scope: view.scope.key,
      page_id: page.id,
      page_at_utc: page.at,
      page_local_time: page.localTime,
      page_zone: page.zone,
      hour_class: page.hourClass,
      channel: page.channel,
      recipient: page.userName,
    } as CsvRow);
  }
  return csvText(reviewCsvColumns, rows);
}
