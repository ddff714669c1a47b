// The review's trends over the weeks up to the one reviewed: the false-positive ratio of the
// scope's pages as reviewed (a reviewer's label where given, else the suggestion) against the
// suggestions alone, how often reviewers agreed with Vigil, the label mix (actionable and each
// reason), follow-ups opened and closed, and the same ratios for the noisiest rules. Labels are
// read from review_labels itself, so a label written a second ago is already in the trend.
import type { QueryRunner } from '../db/index.ts';
import { addDays } from '../metrics/query.ts';
import { scopeSql } from './scope.ts';
import type { ReasonValue, ReviewScope, ReviewTrends, ReviewWeek, TrendRule, TrendWeek } from './types.ts';
import { reasonValues } from './types.ts';

export const MAX_TREND_WEEKS = 104;
const TOP_RULES = 8;

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export async function buildTrends(db: QueryRunner, scope: ReviewScope, last: ReviewWeek, weeks: number): Promise<ReviewTrends> {
  const first = addDays(last.start, -7 * (weeks - 1));
  const range = await db.one<{ lo: string }>(
    `SELECT strftime(timezone($tz, CAST(CAST($d AS DATE) AS TIMESTAMP)), '%Y-%m-%dT%H:%M:%S.%gZ') AS lo`,
    { tz: scope.timeZone, d: first },
  );
  const s = scopeSql(scope);
  const params = { ...s.params, tz: scope.timeZone, lo: range?.lo ?? last.lo, hi: last.hi };
  const inRange = (col: string) => `${col} >= CAST($lo AS TIMESTAMPTZ) AND ${col} < CAST($hi AS TIMESTAMPTZ)`;
  const wk = (col: string) => `strftime(CAST(date_trunc('week', timezone($tz, ${col})) AS DATE), '%Y-%m-%d')`;
  const pageSql = `SELECT ${wk('p.started_at')} AS wk, p.signature, p.incident_id, i.suggested_label AS sug, r.label AS human,
      i.rule_title, sv.name AS service_name
    FROM d_pages p LEFT JOIN d_incidents i ON i.id = p.incident_id LEFT JOIN review_labels r ON r.incident_id = p.incident_id
    LEFT JOIN pd_services sv ON sv.id = i.service_id
    WHERE ${s.pages} AND ${inRange('p.started_at')}`;
  const counts = `count(*) AS pages,
      count(*) FILTER (WHERE coalesce(human, sug) = 'non_actionable') AS reviewed_non,
      count(*) FILTER (WHERE sug = 'non_actionable') AS suggested_non,
      count(*) FILTER (WHERE human IS NOT NULL) AS human_pages`;
  type Counts = { pages: number; reviewed_non: number; suggested_non: number; human_pages: number };
  const reasonParams = Object.fromEntries(reasonValues.map((r, i) => [`r${i}`, r]));
  const [pageWeeks, ruleWeeks, incidentWeeks, opened, closed] = await Promise.all([
    db.all<Counts & { wk: string }>(`WITH pg AS (${pageSql}) SELECT wk, ${counts} FROM pg GROUP BY wk`, params),
    db.all<Counts & { wk: string; signature: string; title: string; service_name: string }>(
      `WITH pg AS (${pageSql}), top AS (
         SELECT signature FROM pg WHERE signature IS NOT NULL GROUP BY signature ORDER BY count(*) DESC, signature LIMIT ${TOP_RULES}
       )
       SELECT wk, signature, any_value(rule_title) AS title, any_value(service_name) AS service_name, ${counts}
       FROM pg WHERE signature IN (SELECT signature FROM top) GROUP BY wk, signature`,
      params,
    ),
    db.all<Record<string, number | string>>(
      `WITH ids AS (
         SELECT DISTINCT p.incident_id AS id FROM d_pages p WHERE ${s.pages} AND ${inRange('p.started_at')} AND p.incident_id IS NOT NULL
         UNION SELECT i.id FROM d_incidents i WHERE ${s.incidents} AND ${inRange('i.created_at')}
       )
       SELECT ${wk('i.created_at')} AS wk, count(*) AS incidents,
         count(*) FILTER (WHERE r.label = 'actionable') AS actionable,
         count(*) FILTER (WHERE r.label = 'non_actionable' AND r.reason IS NULL) AS non_no_reason,
         ${reasonValues.map((_, i) => `count(*) FILTER (WHERE r.label = 'non_actionable' AND r.reason = $r${i}) AS reason_${i}`).join(', ')},
         count(*) FILTER (WHERE r.label IS NULL) AS unlabelled,
         count(*) FILTER (WHERE r.label IS NOT NULL) AS human,
         count(*) FILTER (WHERE r.label = i.suggested_label) AS agree
       FROM ids JOIN d_incidents i ON i.id = ids.id LEFT JOIN review_labels r ON r.incident_id = i.id
       WHERE ${inRange('i.created_at')}
       GROUP BY ALL`,
      { ...params, ...reasonParams },
    ),
    db.all<{ wk: string; n: number }>(
      `SELECT strftime(opened_week, '%Y-%m-%d') AS wk, count(*) AS n FROM follow_ups
       WHERE team_id = $key AND opened_week >= CAST($first AS DATE) AND opened_week <= CAST($last AS DATE) GROUP BY ALL`,
      { key: scope.key, first, last: last.start },
    ),
    db.all<{ wk: string; n: number }>(
      `SELECT ${wk('done_at')} AS wk, count(*) AS n FROM follow_ups
       WHERE team_id = $key AND done AND ${inRange('done_at')} GROUP BY ALL`,
      { key: scope.key, tz: scope.timeZone, lo: params.lo, hi: params.hi },
    ),
  ]);
  const mondays = Array.from({ length: weeks }, (_, i) => addDays(first, 7 * i));
  const pageBy = new Map(pageWeeks.map((r) => [r.wk, r]));
  const incBy = new Map(incidentWeeks.map((r) => [String(r.wk), r]));
  const openedBy = new Map(opened.map((r) => [r.wk, r.n]));
  const closedBy = new Map(closed.map((r) => [r.wk, r.n]));
  const out: TrendWeek[] = mondays.map((week) => {
    const p = pageBy.get(week);
    const i = incBy.get(week);
    const num = (k: string) => Number(i?.[k] ?? 0);
    const mix = {
      actionable: num('actionable'),
      non_actionable_no_reason: num('non_no_reason'),
      unlabelled: num('unlabelled'),
    } as TrendWeek['labelMix'];
    reasonValues.forEach((r: ReasonValue, k) => {
      mix[r] = num(`reason_${k}`);
    });
    return {
      week,
      pages: p?.pages ?? 0,
      reviewedRatio: ratio(p?.reviewed_non ?? 0, p?.pages ?? 0),
      suggestedRatio: ratio(p?.suggested_non ?? 0, p?.pages ?? 0),
      humanLabelledPages: p?.human_pages ?? 0,
      agreement: ratio(num('agree'), num('human')),
      incidents: num('incidents'),
      labelMix: mix,
      followUpsOpened: openedBy.get(week) ?? 0,
      followUpsClosed: closedBy.get(week) ?? 0,
    };
  });
  const rules = new Map<string, TrendRule>();
  for (const r of ruleWeeks) {
    const rule = rules.get(r.signature) ?? {
      signature: r.signature,
      title: r.title,
      serviceName: r.service_name,
      pages: 0,
      weeks: mondays.map((week) => ({ week, pages: 0, reviewedRatio: null, suggestedRatio: null })),
    };
    rule.pages += r.pages;
    const slot = rule.weeks.find((w) => w.week === r.wk);
    if (slot) {
      slot.pages = r.pages;
      slot.reviewedRatio = ratio(r.reviewed_non, r.pages);
      slot.suggestedRatio = ratio(r.suggested_non, r.pages);
    }
    rules.set(r.signature, rule);
  }
  return {
    scope,
    weeks: out,
    rules: [...rules.values()].sort((a, b) => b.pages - a.pages || a.signature.localeCompare(b.signature)),
  };
}
