// The week at a glance, above the rules: pages and interruptions, off-hours and sleep pages, bad
// nights, pages per on-call week against the target, the false-positive ratio against the four
// weeks before, what is still unlabelled and the open follow-ups. The figures come from the same
// metric modules as the dashboard (server/review/header.ts).
import { Figure, Figures } from '../../components/layout.tsx';
import { formatNumber, formatPercent, plural } from '../../lib/format.ts';
import type { ReviewModel } from './review-model.ts';

export function ReviewHeader({ model }: { model: ReviewModel }) {
  const view = model.view.value;
  if (!view) return null;
  const h = view.header;
  // Unlabelled as the page shows it now (labels written a moment ago count).
  const incidents = view.rules.flatMap((r) => r.incidents);
  const unlabelled = incidents.filter((i) => model.shown(i) === null);
  const unlabelledPages = unlabelled.reduce((a, i) => a + i.pages.length, 0);
  const change =
    h.falsePositiveRatio !== null && h.previousFalsePositiveRatio !== null
      ? Math.round((h.falsePositiveRatio - h.previousFalsePositiveRatio) * 100)
      : null;
  const perWeek = h.pagesPerOncallWeek;
  return (
    <>
      <Figures>
        <Figure
          label="Pages"
          value={formatNumber(h.pages)}
          context={`${plural(h.interruptions, 'interruption')} · ${plural(h.people, 'person', 'people')} paged`}
        />
        <Figure
          label="Sleep-hour pages"
          value={`☾ ${formatNumber(h.sleepPages)}`}
          context={`${plural(h.nightsInterrupted, 'night')} interrupted · ${plural(h.badNights, 'bad night')}`}
          tone={h.badNights > 0 ? 'bad' : undefined}
        />
        <Figure label="Off-hours pages" value={formatNumber(h.offHoursPages)} context="evenings and weekends, awake" />
        <Figure
          label="Pages per on-call week"
          value={perWeek === null ? '–' : formatNumber(perWeek, 1)}
          context={
            perWeek === null
              ? 'Nobody was on call in this scope this week'
              : `target under ${formatNumber(h.pagesPerWeekTarget)} · ${formatNumber(h.onCallHours)} h on call`
          }
          tone={perWeek !== null ? (perWeek > h.pagesPerWeekTarget ? 'bad' : 'good') : undefined}
        />
        <Figure
          label="False-positive ratio"
          value={formatPercent(h.falsePositiveRatio)}
          context={
            h.previousFalsePositiveRatio === null
              ? 'no pages in the four weeks before'
              : `four weeks before: ${formatPercent(h.previousFalsePositiveRatio)}${
                  change === null || change === 0 ? '' : ` (${change > 0 ? '▲ +' : '▼ '}${change} pts)`
                }`
          }
          tone={change !== null && change > 0 ? 'bad' : undefined}
        />
        <Figure
          label="Still unlabelled"
          value={formatNumber(unlabelled.length)}
          unit={unlabelled.length === 1 ? 'incident' : 'incidents'}
          context={`${plural(unlabelledPages, 'page')} · ${formatNumber(incidents.length - unlabelled.length)} of ${formatNumber(incidents.length)} labelled`}
          tone={unlabelled.length === 0 && incidents.length > 0 ? 'good' : undefined}
        />
        <Figure
          label="Open follow-ups"
          value={formatNumber(h.openFollowUps)}
          context="carried into each week's review until done"
        />
        <Figure
          label="Busiest person"
          value={h.busiest ? formatPercent(h.busiest.share) : '–'}
          unit={h.busiest ? 'of pages' : undefined}
          context={
            h.busiest
              ? `${h.busiest.name}${h.busiest.flagged ? ' · load concentrated on one person' : ''}`
              : 'fewer than two people paged'
          }
          tone={h.busiest?.flagged ? 'bad' : undefined}
        />
      </Figures>
      {h.notes.length > 0 ? (
        <ul class="notes">
          {h.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
