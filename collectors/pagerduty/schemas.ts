// What Vigil needs of each PagerDuty record, checked with zod before it is normalised. Only the
// fields Vigil reads are required (PagerDuty adds fields over time; every field is kept in raw
// untouched). Shapes follow PagerDuty's REST description (PagerDuty/api-schema, openapiv3.json):
// components/schemas Incident, LogEntry (and its *LogEntry variants), Alert, Notification, Oncall,
// Service, Team, User, Priority, EscalationPolicy and Schedule.
import { z } from 'zod';

/** Timestamps come in the request's (or the account's) zone with an offset, e.g. 2015-03-06T15:28:51-05:00. */
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO-8601 time' });
const ref = z.object({ id: z.string().min(1), type: z.string().optional(), summary: z.string().nullable().optional() });
const refs = z.array(ref).nullable().optional();
const text = z.string().nullable().optional();

export const incidentSchema = z.object({
  id: z.string().min(1),
  incident_number: z.number().int().nullable().optional(),
  title: z.string(),
  description: text,
  status: z.string().min(1),
  urgency: text,
  priority: ref.extend({ name: text }).nullable().optional(),
  service: ref,
  escalation_policy: ref.nullable().optional(),
  teams: refs,
  incident_key: text,
  html_url: text,
  created_at: isoTime,
  updated_at: isoTime.nullable().optional(),
  last_status_change_at: isoTime.nullable().optional(),
  resolved_at: isoTime.nullable().optional(),
  alert_counts: z
    .object({ all: z.number().int(), triggered: z.number().int().optional(), resolved: z.number().int().optional() })
    .nullable()
    .optional(),
  assigned_via: text,
});
export type PdIncident = z.infer<typeof incidentSchema>;

export const logEntrySchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created_at: isoTime,
  summary: text,
  incident: ref,
  agent: z.object({ id: z.string().optional(), type: z.string() }).nullable().optional(),
  channel: z
    .object({
      type: z.string().optional(),
      notification: z
        .object({ id: z.string().min(1), type: z.string().optional() })
        .nullable()
        .optional(),
      changeset: z.unknown().optional(),
    })
    .nullable()
    .optional(),
  user: ref.nullable().optional(),
  assignees: refs,
  note: text,
  event_details: z.unknown().optional(),
  changeset: z.unknown().optional(),
});
export type PdLogEntry = z.infer<typeof logEntrySchema>;

export const alertSchema = z.object({
  id: z.string().min(1),
  status: text,
  created_at: isoTime,
  resolved_at: isoTime.nullable().optional(),
  alert_key: text,
  severity: text,
  summary: text,
  suppressed: z.boolean().nullable().optional(),
  service: ref.nullable().optional(),
  integration: ref.nullable().optional(),
  incident: ref.nullable().optional(),
  body: z
    .object({
      cef_details: z.object({ creation_time: isoTime.nullable().optional() }).nullable().optional(),
      details: z.unknown().optional(),
    })
    .nullable()
    .optional(),
});
export type PdAlert = z.infer<typeof alertSchema>;

export const notificationSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  started_at: isoTime,
  user: ref,
  address: text,
  status: text,
});
export type PdNotification = z.infer<typeof notificationSchema>;

export const oncallSchema = z.object({
  user: ref,
  schedule: ref.nullable().optional(),
  escalation_policy: ref,
  escalation_level: z.number().int(),
  start: isoTime.nullable().optional(),
  end: isoTime.nullable().optional(),
});
export type PdOncall = z.infer<typeof oncallSchema>;

export const serviceSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: text,
  status: text,
  escalation_policy: ref.nullable().optional(),
  teams: refs,
  html_url: text,
  created_at: isoTime.nullable().optional(),
});

export const teamSchema = z.object({ id: z.string().min(1), name: z.string(), description: text, html_url: text });

export const userSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  email: text,
  time_zone: text,
  role: text,
  teams: refs,
  html_url: text,
});

export const prioritySchema = z.object({ id: z.string().min(1), name: z.string(), description: text });

export const escalationPolicySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  num_loops: z.number().int().nullable().optional(),
  escalation_rules: z
    .array(z.object({ targets: z.array(z.object({ id: z.string(), type: z.string() })).optional() }))
    .nullable()
    .optional(),
  services: refs,
  teams: refs,
  html_url: text,
});

export const scheduleSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  time_zone: text,
  escalation_policies: refs,
  teams: refs,
  html_url: text,
});

/** One line per problem, with the field path: what a sync_errors row says about a bad payload. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function check<T>(schema: z.ZodType<T>, item: unknown): Checked<T> {
  const result = schema.safeParse(item);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeZodError(result.error) };
}
