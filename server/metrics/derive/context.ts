// What every derivation step needs from the config, resolved once per refresh: durations in
// seconds, clock times in minutes, the patterns built from configured prefixes. Its fingerprint is
// stored in `meta`, so a config change that alters any definition rebuilds the derived tables.
import { createHash } from 'node:crypto';
import { durationMinutes, type Severity, severities, type VigilConfig } from '../../config/schema.ts';
import type { WriteTx } from '../../db/index.ts';

export interface DeriveSettings {
  highUrgency: Severity;
  lowUrgency: Severity;
  priorities: Record<string, Severity>;
  targetsS: Record<Severity, number | null>;
  windowS: number;
  /** RE2 pattern with one group: the ISO time after the configured note prefix. */
  notePattern: string;
  /** RE2 pattern over a custom-field log entry's details, or null when no field is configured. */
  customFieldPattern: string | null;
  autoResolveS: number;
  flappingCount: number;
  flappingWindowS: number;
  pageChannels: string[];
  interruptionS: number;
  escalationLevel: number;
  businessStart: number;
  businessEnd: number;
  businessDays: number[];
  sleepStart: number;
  sleepEnd: number;
  defaultZone: string;
  teams: VigilConfig['teams'];
}

export interface DeriveContext {
  /** Rebuild everything (true) or only the scopes in the s_* temp tables (false). */
  full: boolean;
  settings: DeriveSettings;
}

function clockMinutes(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An ISO-8601 time as people write it: date, T or space, time, optional seconds and offset. */
const isoTime = '(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)';

export function deriveSettings(config: VigilConfig): DeriveSettings {
  const targetsS = {} as Record<Severity, number | null>;
  for (const s of severities) {
    const target = config.severity.targets[s];
    targetsS[s] = target ? durationMinutes(target) * 60 : null;
  }
  return {
    highUrgency: config.severity.highUrgency,
    lowUrgency: config.severity.lowUrgency,
    priorities: config.severity.priorities,
    targetsS,
    windowS: durationMinutes(config.attribution.window) * 60,
    notePattern: `(?i)${escapeRegExp(config.impactStart.notePrefix)}\\s*${isoTime}`,
    customFieldPattern: config.impactStart.customField
      ? `(?i)${escapeRegExp(config.impactStart.customField)}\\W+(?:to\\W+)?${isoTime}`
      : null,
    autoResolveS: durationMinutes(config.noise.autoResolveWithin) * 60,
    flappingCount: config.noise.flappingCount,
    flappingWindowS: durationMinutes(config.noise.flappingWindow) * 60,
    pageChannels: [...config.onCall.pageChannels],
    interruptionS: durationMinutes(config.onCall.interruptionWindow) * 60,
    escalationLevel: config.onCall.escalationLevel,
    businessStart: clockMinutes(config.onCall.businessHours.start),
    businessEnd: clockMinutes(config.onCall.businessHours.end),
    businessDays: [...config.onCall.businessHours.days],
    sleepStart: clockMinutes(config.onCall.sleepHours.start),
    sleepEnd: clockMinutes(config.onCall.sleepHours.end),
    defaultZone: config.timeZone,
    teams: config.teams,
  };
}

/** A stable hash of everything that changes what the derived tables contain. */
export function settingsFingerprint(settings: DeriveSettings): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}

const severityRank: Record<Severity, number> = { SEV1: 1, SEV2: 2, SEV3: 3, SEV4: 4 };

/** Small temp tables with the config mappings the SQL joins on. */
export async function writeConfigTables(tx: WriteTx, settings: DeriveSettings): Promise<void> {
  await tx.stage(
    't_cfg_priority_raw',
    ['name', 'severity'],
    Object.entries(settings.priorities).map(([name, sev]) => [name, sev]),
  );
  await tx.run('DROP TABLE IF EXISTS t_cfg_priority');
  await tx.run(`CREATE TEMP TABLE t_cfg_priority AS
    SELECT name, severity, CAST(substr(severity, 4) AS INTEGER) AS rank FROM t_cfg_priority_raw`);
  await tx.stage(
    't_cfg_severity_raw',
    ['severity', 'rank', 'target_s'],
    severities.map((s) => [s, String(severityRank[s]), settings.targetsS[s] === null ? null : String(settings.targetsS[s])]),
  );
  await tx.run('DROP TABLE IF EXISTS t_cfg_severity');
  await tx.run(`CREATE TEMP TABLE t_cfg_severity AS
    SELECT severity, CAST(rank AS INTEGER) AS rank, CAST(target_s AS DOUBLE) AS target_s FROM t_cfg_severity_raw`);
}
