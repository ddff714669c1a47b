// The shape of vigil.config.yaml, validated with zod. Every field has the default METRICS.md
// gives, so a config needs only its teams. Tokens are never part of the file: they come from the
// GITHUB_TOKEN and PAGERDUTY_TOKEN environment variables.
import { Cron } from 'croner';
import { z } from 'zod';

const durationPattern = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/;

/** Parse '90m', '4h', '2d' into minutes. */
export function durationMinutes(text: string): number {
  const match = durationPattern.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const value = Number(match[1]);
  const unit = match[2];
  return unit === 'd' ? value * 1440 : unit === 'h' ? value * 60 : value;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function isCron(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().refine(isTimeZone, { message: 'expected an IANA time zone such as "UTC" or "Europe/Berlin"' });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a time of day as "HH:MM", e.g. "08:00"' });
const duration = z.string().refine((s) => durationPattern.test(s.trim()), {
  message: 'expected a duration such as "90m", "4h" or "2d"',
});
const cron = z.string().refine(isCron, { message: 'expected a cron expression such as "*/30 * * * *"' });
const httpUrl = z
  .string()
  .url({ message: 'expected an http(s) URL' })
  .refine((u) => /^https?:\/\//.test(u), { message: 'expected an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));
const slug = z.string().regex(/^[a-z0-9][a-z0-9-_]*$/, { message: 'expected a lower-case id of letters, digits, - and _' });

export const severities = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export const severity = z.enum(severities);
export type Severity = z.infer<typeof severity>;

export const pageChannels = ['sms', 'phone', 'push', 'email'] as const;

export const repoSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: 'expected "owner/name"' })
      .transform((s) => s.toLowerCase()),
    productionPattern: z
      .string()
      .refine(isRegExp, { message: 'expected a regular expression' })
      .default('^(prod|production)$')
      .describe('Environments whose name matches (case-insensitive) are production.'),
    workflow: z
      .object({
        file: z.string().min(1).describe('Workflow file name or id, e.g. deploy.yml'),
        branch: z.string().min(1).default('main'),
      })
      .strict()
      .optional()
      .describe('Successful runs of this Actions workflow on this branch count as production deployments.'),
  })
  .strict();

export const teamSchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    timeZone: timeZone.optional(),
    // A repository may be written as a plain "owner/name" string.
    repos: z.array(z.preprocess((r) => (typeof r === 'string' ? { name: r } : r), repoSchema)).default([]),
    services: z.array(z.string().min(1)).default([]).describe('PagerDuty service ids'),
    schedules: z.array(z.string().min(1)).default([]).describe('PagerDuty schedule ids'),
  })
  .strict();

const sourceBase = {
  cron: cron,
  historyDays: z.number().int().min(1).max(3650).default(730).describe('How far back the first sync reaches.'),
  timeoutSeconds: z.number().min(1).max(600).default(30),
};

export const configSchema = z
  .object({
    database: z.string().min(1).default('./data/vigil.duckdb'),
    timeZone: timeZone.default('UTC'),
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8787 }),
    github: z
      .object({
        baseUrl: httpUrl.default('https://api.github.com'),
        ...sourceBase,
        cron: cron.default('*/30 * * * *'),
      })
      .strict()
      .default({ baseUrl: 'https://api.github.com', cron: '*/30 * * * *', historyDays: 730, timeoutSeconds: 30 }),
    pagerduty: z
      .object({
        baseUrl: httpUrl.default('https://api.pagerduty.com'),
        ...sourceBase,
        cron: cron.default('*/15 * * * *'),
      })
      .strict()
      .default({ baseUrl: 'https://api.pagerduty.com', cron: '*/15 * * * *', historyDays: 730, timeoutSeconds: 30 }),
    teams: z
      .array(teamSchema)
      .min(1, { message: 'expected at least one team' })
      .superRefine((teams, ctx) => {
        const seen = new Set<string>();
        teams.forEach((t, i) => {
          if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate team id "${t.id}"` });
          seen.add(t.id);
        });
      }),
    severity: z
      .object({
        priorities: z.record(z.string(), severity).default({ P1: 'SEV1', P2: 'SEV2', P3: 'SEV3', P4: 'SEV4', P5: 'SEV4' }),
        highUrgency: severity.default('SEV2'),
        lowUrgency: severity.default('SEV3'),
        targets: z
          .object({ SEV1: duration.nullable(), SEV2: duration.nullable(), SEV3: duration.nullable(), SEV4: duration.nullable() })
          .strict()
          .default({ SEV1: '1h', SEV2: '4h', SEV3: '24h', SEV4: null }),
      })
      .strict()
      .default({
        priorities: { P1: 'SEV1', P2: 'SEV2', P3: 'SEV3', P4: 'SEV4', P5: 'SEV4' },
        highUrgency: 'SEV2',
        lowUrgency: 'SEV3',
        targets: { SEV1: '1h', SEV2: '4h', SEV3: '24h', SEV4: null },
      }),
    attribution: z
      .object({ window: duration.default('24h') })
      .strict()
      .default({ window: '24h' }),
    impactStart: z
      .object({
        notePrefix: z.string().min(1).default('impact-start:'),
        customField: z.string().min(1).nullable().default(null),
      })
      .strict()
      .default({ notePrefix: 'impact-start:', customField: null }),
    onCall: z
      .object({
        pagesPerWeekTarget: z.number().positive().default(5),
        pageChannels: z.array(z.enum(pageChannels)).min(1).default(['sms', 'phone', 'push']),
        interruptionWindow: duration.default('5m'),
        escalationLevel: z.number().int().min(1).default(1),
        businessHours: z
          .object({
            start: clock.default('08:00'),
            end: clock.default('18:00'),
            days: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]),
          })
          .strict()
          .default({ start: '08:00', end: '18:00', days: [1, 2, 3, 4, 5] }),
        sleepHours: z
          .object({ start: clock.default('22:00'), end: clock.default('08:00') })
          .strict()
          .default({ start: '22:00', end: '08:00' }),
        badNightInterruptions: z
          .number()
          .int()
          .min(1)
          .default(3)
          .describe('A night with at least this many sleep-hour interruptions is bad.'),
        concentrationThreshold: z.number().min(0).max(1).default(0.8),
      })
      .strict()
      .default({
        pagesPerWeekTarget: 5,
        pageChannels: ['sms', 'phone', 'push'],
        interruptionWindow: '5m',
        escalationLevel: 1,
        businessHours: { start: '08:00', end: '18:00', days: [1, 2, 3, 4, 5] },
        sleepHours: { start: '22:00', end: '08:00' },
        badNightInterruptions: 3,
        concentrationThreshold: 0.8,
      }),
    noise: z
      .object({
        autoResolveWithin: duration.default('10m'),
        flappingCount: z.number().int().min(2).default(3),
        flappingWindow: duration.default('24h'),
      })
      .strict()
      .default({ autoResolveWithin: '10m', flappingCount: 3, flappingWindow: '24h' }),
    dora: z
      .object({ thresholds: z.string().min(1).default('latest').describe('"latest", or a year such as "2023"') })
      .strict()
      .default({ thresholds: 'latest' }),
  })
  .strict();

export type VigilConfig = z.infer<typeof configSchema>;
export type TeamConfig = z.infer<typeof teamSchema>;
export type RepoConfig = z.infer<typeof repoSchema>;
