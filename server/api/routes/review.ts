// The weekly alert-quality review (issue 8, server/review/*):
//   GET    /api/review/options                          teams and schedules, each with its default week
//   GET    /api/review?team=ID|schedule=ID&week=DATE    the week: header, rules, incidents, pages, follow-ups, note
//   GET    /api/review/trends?…&weeks=12                 ratios, label mix and follow-ups across weeks
//   GET    /api/review/export.csv?…                      every page of the week with its rule and label
//   POST   /api/review/labels        { items: [{ incidentId, version }], label?, reason?, note? }
//   POST   /api/review/follow-ups    { team|schedule, week, ruleSignature, title, url?, owner? }
//   PUT    /api/review/follow-ups/:id  { title?, url?, owner?, done?, version }
//   DELETE /api/review/follow-ups/:id?version=N
//   PUT    /api/review/notes         { team|schedule, week, body, version }
// Every write needs the writer's name (requireActor: the signed-in user, else X-Vigil-Actor) and
// the version the writer loaded; a stale write is a 409 carrying the current value.
import { Hono } from 'hono';
import { csvFileName, csvHeaders } from '../../lib/csv.ts';
import { ensureDerivedTables } from '../../metrics/refresh.ts';
import { reviewCsv } from '../../review/export.ts';
import { createFollowUp, deleteFollowUp, parseFollowUpFields, updateFollowUp } from '../../review/follow-ups.ts';
import { parseLabelWrite, writeLabels } from '../../review/labels.ts';
import { parseNoteBody, writeNote } from '../../review/notes.ts';
import { resolveScope, resolveWeek, reviewOptions } from '../../review/scope.ts';
import { buildTrends, MAX_TREND_WEEKS } from '../../review/trends.ts';
import type { ReviewOptions, ReviewTrends, ReviewView } from '../../review/types.ts';
import { buildReview } from '../../review/week.ts';
import type { AppEnv } from '../app.ts';
import { requireActor } from '../auth.ts';
import { badRequest } from '../errors.ts';
import { type Ctx, cached, cachedJson, metricContext } from './reporting-support.ts';

function checkParams(c: Ctx, allowed: readonly string[]): Record<string, string | undefined> {
  const raw = c.req.queries() ?? {};
  const out: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(raw)) {
    if (!allowed.includes(name)) {
      throw badRequest(`Unknown parameter "${name}".`, `Parameters: ${allowed.join(', ')}.`, { parameter: name, allowed });
    }
    if (values.length > 1) throw badRequest(`${name} may be given once.`, undefined, { parameter: name });
    out[name] = values[0];
  }
  return out;
}

async function scopeAndWeek(c: Ctx, extra: readonly string[] = []) {
  const ctx = await metricContext(c);
  const q = checkParams(c, ['team', 'schedule', 'week', ...extra]);
  const scope = await resolveScope(ctx.db, ctx.config, q);
  const week = await resolveWeek(ctx.db, scope, q.week);
  return { ctx, q, scope, week };
}

async function jsonBody(c: Ctx): Promise<Record<string, unknown>> {
  const body = (await c.req.json()) as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object.');
  return body as Record<string, unknown>;
}

function versionOf(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badRequest(`${where} must be the version you loaded (a whole number, 0 for something new).`, undefined, {
      parameter: 'version',
    });
  }
  return value;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const reviewRoutes = new Hono<AppEnv>()
  .get('/review/options', async (c) => {
    const ctx = await metricContext(c);
    checkParams(c, []);
    return cachedJson<ReviewOptions>(c, () => reviewOptions(ctx.db, ctx.config));
  })
  .get('/review', async (c) => {
    const { ctx, scope, week } = await scopeAndWeek(c);
    return cachedJson<ReviewView>(c, () => buildReview(ctx, scope, week));
  })
  .get('/review/trends', async (c) => {
    const { ctx, q, scope, week } = await scopeAndWeek(c, ['weeks']);
    const weeks = q.weeks === undefined ? 12 : Number(q.weeks);
    if (!Number.isInteger(weeks) || weeks < 1 || weeks > MAX_TREND_WEEKS) {
      throw badRequest(`weeks must be a whole number from 1 to ${MAX_TREND_WEEKS}; got "${q.weeks}".`, undefined, {
        parameter: 'weeks',
      });
    }
    return cachedJson<ReviewTrends>(c, () => buildTrends(ctx.db, scope, week, weeks));
  })
  .get('/review/export.csv', async (c) => {
    const { ctx, scope, week } = await scopeAndWeek(c);
    const name = csvFileName(['vigil-review', scope.key.replace(':', '-'), week.start]);
    const { 'Content-Type': _type, ...headers } = csvHeaders(name);
    return cached(c, 'text/csv', async () => reviewCsv(await buildReview(ctx, scope, week)), headers);
  })
  .post('/review/labels', async (c) => {
    const actor = requireActor(c);
    const write = parseLabelWrite(await c.req.json());
    const { db, config } = c.get('deps');
    await ensureDerivedTables(db);
    return c.json(await writeLabels(db, config, write, actor));
  })
  .post('/review/follow-ups', async (c) => {
    const actor = requireActor(c);
    const body = await jsonBody(c);
    const { db, config } = c.get('deps');
    const scope = await resolveScope(db, config, { team: text(body.team), schedule: text(body.schedule) });
    if (typeof body.week !== 'string')
      throw badRequest('week is required (a date in the review week).', undefined, { parameter: 'week' });
    const week = await resolveWeek(db, scope, body.week);
    const fields = parseFollowUpFields(
      Object.fromEntries(Object.entries(body).filter(([k]) => !['team', 'schedule', 'week', 'ruleSignature'].includes(k))),
      ['title', 'url', 'owner', 'done'],
    );
    if (typeof body.ruleSignature !== 'string' || body.ruleSignature === '') {
      throw badRequest('ruleSignature must name the alert rule (the signature the review lists).', undefined, {
        parameter: 'ruleSignature',
      });
    }
    if (fields.title === undefined)
      throw badRequest('title is required: what should be done?', undefined, { parameter: 'title' });
    const created = await createFollowUp(
      db,
      scope,
      { ...fields, title: fields.title, ruleSignature: body.ruleSignature, week: week.start },
      actor,
    );
    return c.json(created, 201);
  })
  .put('/review/follow-ups/:id', async (c) => {
    const actor = requireActor(c);
    const body = await jsonBody(c);
    const version = versionOf(body.version, 'version');
    const { version: _v, ...rest } = body;
    const fields = parseFollowUpFields(rest, ['title', 'url', 'owner', 'done']);
    const updated = await updateFollowUp(c.get('deps').db, c.req.param('id'), fields, version, actor);
    return c.json(updated);
  })
  .delete('/review/follow-ups/:id', async (c) => {
    const actor = requireActor(c);
    const raw = c.req.query('version');
    if (raw === undefined) throw badRequest('Say which version you are deleting: ?version=N (the version you loaded).');
    const removed = await deleteFollowUp(c.get('deps').db, c.req.param('id'), versionOf(Number(raw), 'version'), actor);
    return c.json({ removed });
  })
  .put('/review/notes', async (c) => {
    const actor = requireActor(c);
    const body = await jsonBody(c);
    const unknown = Object.keys(body).filter((k) => !['team', 'schedule', 'week', 'body', 'version'].includes(k));
    if (unknown.length > 0)
      throw badRequest(
        `Unknown field ${unknown.map((k) => `"${k}"`).join(', ')}.`,
        'Fields: team|schedule, week, body, version.',
      );
    const { db, config } = c.get('deps');
    const scope = await resolveScope(db, config, { team: text(body.team), schedule: text(body.schedule) });
    if (typeof body.week !== 'string')
      throw badRequest('week is required (the Monday of the review week).', undefined, { parameter: 'week' });
    const week = await resolveWeek(db, scope, body.week);
    const note = await writeNote(db, scope, week.start, parseNoteBody(body.body), versionOf(body.version, 'version'), actor);
    return c.json(note);
  });
