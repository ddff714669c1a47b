// DORA levels from versioned threshold data (thresholds.json): selecting a version, classifying a
// value, and the deploy-day medians the deployment-frequency level needs.
//
// Classification rule (the same for every version, documented in thresholds.json): a value gets
// the best level whose bound it meets: duration < maxSeconds, change failure rate <= max,
// median deploy days per period >= minMedianDeployDays; the lowest level takes the rest. The
// overall level of a team is the lowest of its per-metric levels (a team is as good as its
// weakest key), over the metrics that have data.
import type { MetricQuery } from '../query.ts';
import { runSql } from '../shape.ts';
import { filterExpr, groupExpr, localDateExpr, queryParams } from '../sql.ts';
import type { MetricContext } from '../types.ts';
import data from './thresholds.json' with { type: 'json' };

export const levels = ['elite', 'high', 'medium', 'low'] as const;
export type Level = (typeof levels)[number];
export type DoraMetric = 'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'recoveryTime';
export const doraMetrics: readonly DoraMetric[] = ['deploymentFrequency', 'leadTime', 'changeFailureRate', 'recoveryTime'];

interface FrequencyBand {
  level: Level;
  published: string;
  period: 'week' | 'month' | 'halfYear' | null;
  minMedianDeployDays: number | null;
}
interface DurationBand {
  level: Level;
  published: string;
  maxSeconds: number | null;
}
interface RateBand {
  level: Level;
  published: string;
  max: number | null;
}

export interface ThresholdVersion {
  id: string;
  title: string;
  complete: boolean;
  metrics: DoraMetric[];
  sources: string[];
  notes?: string[];
  deploymentFrequency: FrequencyBand[];
  leadTime: DurationBand[];
  changeFailureRate: RateBand[];
  recoveryTime: DurationBand[];
}

export const thresholdVersions = (data as { versions: ThresholdVersion[] }).versions;
export const thresholdIds = thresholdVersions.map((v) => v.id);

/** The newest version with all four metrics. */
export function latestCompleteVersion(): ThresholdVersion {
  const complete = thresholdVersions.filter((v) => v.complete && doraMetrics.every((m) => v.metrics.includes(m)));
  return complete.sort((a, b) => b.id.localeCompare(a.id))[0] as ThresholdVersion;
}

/** 'latest' or a version id (config dora.thresholds, or the request's thresholds parameter). */
export function selectVersion(id: string | undefined): ThresholdVersion | undefined {
  if (!id || id === 'latest') return latestCompleteVersion();
  return thresholdVersions.find((v) => v.id === id);
}

export interface Classified {
  level: Level | null;
  /** The band that decided it, as published and as applied. */
  threshold: { published: string; rule: string } | null;
}

const hours = (s: number) => (s % 86400 === 0 ? `${s / 86400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${s} s`);

export function classifyDuration(bands: DurationBand[], seconds: number | null): Classified {
  if (seconds === null || Number.isNaN(seconds)) return { level: null, threshold: null };
  for (const band of bands) {
    if (band.maxSeconds === null || seconds < band.maxSeconds) {
      return {
        level: band.level,
        threshold: { published: band.published, rule: band.maxSeconds === null ? 'otherwise' : `< ${hours(band.maxSeconds)}` },
      };
    }
  }
  return { level: null, threshold: null };
}

export function classifyRate(bands: RateBand[], rate: number | null): Classified {
  if (rate === null || Number.isNaN(rate)) return { level: null, threshold: null };
  for (const band of bands) {
    if (band.max === null || rate <= band.max) {
      return {
        level: band.level,
        threshold: {
          published: band.published,
          rule: band.max === null ? 'otherwise' : `<= ${Math.round(band.max * 1000) / 10}%`,
        },
      };
    }
  }
  return { level: null, threshold: null };
}

export interface DeployDayMedians {
  week: number | null;
  month: number | null;
  halfYear: number | null;
  deployments: number;
}

export function classifyFrequency(bands: FrequencyBand[], m: DeployDayMedians): Classified {
  if (m.week === null) return { level: null, threshold: null };
  for (const band of bands) {
    const value = band.period === null ? null : m[band.period];
    if (band.period === null || (value !== null && band.minMedianDeployDays !== null && value >= band.minMedianDeployDays)) {
      const per = band.period === 'halfYear' ? 'six months' : band.period;
      return {
        level: band.level,
        threshold: {
          published: band.published,
          rule: band.period === null ? 'otherwise' : `median deploy days per ${per} >= ${band.minMedianDeployDays}`,
        },
      };
    }
  }
  return { level: null, threshold: null };
}

/** The lowest of the levels present (null when none). */
export function overallLevel(found: (Level | null)[]): Level | null {
  const present = found.filter((l): l is Level => l !== null);
  if (present.length === 0) return null;
  return present.reduce((worst, l) => (levels.indexOf(l) > levels.indexOf(worst) ? l : worst));
}

/**
 * Median deploy days per ISO week, calendar month and half-year over the periods overlapping the
 * range (periods without a deployment count as 0), per group.
 */
export async function deployDayMedians(ctx: MetricContext, q: MetricQuery): Promise<Map<string | null, DeployDayMedians>> {
  const dims = { team: 'team_id', repo: 'repo' } as const;
  const rows = await runSql(
    ctx,
    `WITH days AS (
       SELECT DISTINCT ${groupExpr(q, dims)} AS grp, ${localDateExpr(q, 'deployed_at', 'deployed_day')} AS d
       FROM d_deployments
       WHERE production AND outcome = 'success' AND deployed_at >= CAST($lo AS TIMESTAMPTZ) AND deployed_at < CAST($hi AS TIMESTAMPTZ)
         ${filterExpr(q, dims)}
     ),
     deployments AS (
       SELECT ${groupExpr(q, dims)} AS grp, count(*) AS n FROM d_deployments
       WHERE production AND outcome = 'success' AND deployed_at >= CAST($lo AS TIMESTAMPTZ) AND deployed_at < CAST($hi AS TIMESTAMPTZ)
         ${filterExpr(q, dims)}
       GROUP BY grp
     ),
     groups AS (SELECT grp FROM deployments),
     periods AS (
       SELECT 'week' AS kind, CAST(p AS DATE) AS s, CAST(p + INTERVAL 7 DAY AS DATE) AS e
       FROM (SELECT unnest(generate_series(CAST(date_trunc('week', CAST($fromDate AS DATE)) AS TIMESTAMP),
         CAST(CAST($toDate AS DATE) AS TIMESTAMP), INTERVAL 7 DAY)) AS p)
       UNION ALL
       SELECT 'month', CAST(p AS DATE), CAST(p + INTERVAL 1 MONTH AS DATE)
       FROM (SELECT unnest(generate_series(CAST(date_trunc('month', CAST($fromDate AS DATE)) AS TIMESTAMP),
         CAST(CAST($toDate AS DATE) AS TIMESTAMP), INTERVAL 1 MONTH)) AS p)
       UNION ALL
       SELECT 'halfYear', CAST(p AS DATE), CAST(p + INTERVAL 6 MONTH AS DATE)
       FROM (SELECT unnest(generate_series(
         CAST(make_date(year(CAST($fromDate AS DATE)), CASE WHEN month(CAST($fromDate AS DATE)) <= 6 THEN 1 ELSE 7 END, 1) AS TIMESTAMP),
         CAST(CAST($toDate AS DATE) AS TIMESTAMP), INTERVAL 6 MONTH)) AS p)
     ),
     counted AS (
       SELECT g.grp, p.kind, p.s, count(d.d) AS days
       FROM groups g CROSS JOIN periods p
       LEFT JOIN days d ON d.grp IS NOT DISTINCT FROM g.grp AND d.d >= p.s AND d.d < p.e
       GROUP BY g.grp, p.kind, p.s
     )
     SELECT c.grp, c.kind, quantile_cont(c.days, 0.5) AS median, any_value(dep.n) AS deployments
     FROM counted c JOIN deployments dep ON dep.grp IS NOT DISTINCT FROM c.grp
     GROUP BY c.grp, c.kind`,
    queryParams(q),
  );
  const out = new Map<string | null, DeployDayMedians>();
  for (const r of rows) {
    const grp = (r.grp as string | null) ?? null;
    const m = out.get(grp) ?? { week: null, month: null, halfYear: null, deployments: Number(r.deployments ?? 0) };
    m[r.kind as 'week' | 'month' | 'halfYear'] = r.median === null ? null : Number(r.median);
    out.set(grp, m);
  }
  return out;
}
