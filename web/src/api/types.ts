// The shapes the web app reads, taken from the server's own types wherever the server declares
// them (metric responses, DORA summary parts, sync status, distributions, links, settings), so a
// change on the server breaks the build here instead of a page at runtime. The record endpoints
// return rows straight from SQL (typed Record<string, unknown> on the server), so the few fields
// the pages read are declared in records.ts.
import type { ProgressSnapshot } from '../../../collectors/engine/progress.ts';
import type { ApiRoutes } from '../../../server/api/app.ts';
import type { DashboardSettings, Person } from '../../../server/api/routes/dashboard.ts';
import type { SyncRunSummary, SyncStatus } from '../../../server/lib/sync-controller.ts';
import type { Attribution, IncidentLink } from '../../../server/links/incident-links.ts';
import type { DurationDistribution, PageHours } from '../../../server/metrics/distributions.ts';
import type { DoraMetric, Level, ThresholdVersion } from '../../../server/metrics/dora/levels.ts';
import type { DoraGroup, DoraValue } from '../../../server/metrics/dora/summary.ts';
import type { Grain, GroupBy } from '../../../server/metrics/query.ts';
import type { MetricResponse } from '../../../server/metrics/registry.ts';
import type { MetricRow, RowValue } from '../../../server/metrics/types.ts';

export type {
  ApiRoutes,
  Attribution,
  DashboardSettings,
  DoraGroup,
  DoraMetric,
  DoraValue,
  DurationDistribution,
  Grain,
  GroupBy,
  IncidentLink,
  Level,
  MetricResponse,
  MetricRow,
  PageHours,
  Person,
  ProgressSnapshot,
  RowValue,
  SyncRunSummary,
  SyncStatus,
};

/** GET /api/dora/summary (server/api/routes/metrics.ts builds it from these parts). */
export interface DoraSummary {
  params: MetricResponse['params'] & { thresholds: string };
  thresholds: Pick<ThresholdVersion, 'id' | 'title' | 'sources'> & {
    notes: string[];
    bands: Pick<ThresholdVersion, DoraMetric>;
  };
  available: Pick<ThresholdVersion, 'id' | 'title' | 'complete'>[];
  teams: (Omit<DoraGroup, 'group'> & { team: string; name: string })[];
  organisation: Omit<DoraGroup, 'group'> | null;
}

/** GET /api/metrics: one catalogue entry (server/metrics/registry.ts describeMetric). */
export interface MetricDescription {
  name: string;
  title: string;
  unit: string;
  kind: 'count' | 'ratio' | 'duration' | 'table';
  definition: string;
  parameters: Record<string, unknown>;
  columns: { name: string; description: string; unit?: string }[];
}

export interface Team {
  id: string;
  name: string;
  timeZone: string;
  repos: { name: string; productionPattern: string; workflow: unknown }[];
  services: string[];
  schedules: string[];
  counts: { deployments: number; incidents: number; pages: number };
  description?: string;
}

export interface Service {
  id: string;
  name: string | null;
  team: string;
  mapped: boolean;
  synced: boolean;
  incidents: number;
}

export interface Repo {
  name: string;
  team: string;
  mapped: boolean;
  productionPattern: string | null;
  productionEnvironments: string[] | null;
  /** The first 20 by name; otherEnvironmentCount counts them all. */
  otherEnvironments: string[] | null;
  otherEnvironmentCount: number;
  deployments: number;
  lastDeployedAt: string | null;
}

export interface Health {
  status: string;
  version: string;
  schemaVersion: number;
  dataVersion: number;
  lastSync: Record<string, { status: string; startedAt: string; endedAt: string | null; error: string | null } | null>;
}

export interface AlertRule {
  signature: string;
  serviceId: string;
  serviceName: string | null;
  title: string;
  example: string;
  incidents: number;
  pages: number;
  sleepPages: number;
  nonActionable: number;
  humanLabelled: number;
  autoResolved: number;
  flapping: number;
  noiseRatio: number | null;
  lastSeen: string | null;
}
