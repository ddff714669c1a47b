// Writing labels through the API: a whole rule at once, with who and when, an audit row per
// incident, the false-positive ratio and rule noise updated at once, partial updates that keep what
// was not sent, and every failure (no name, unknown incident, bad label or reason, oversized note,
// stale version) refused with nothing written.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { DISK, itemsOf, P99, type ReviewHarness, review, ruleOf, send, startHarness, WEEK } from './support.ts';

let h: ReviewHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const labels = () =>
  h.f.all<{
    incident_id: string;
    label: string;
    reason: string | null;
    note: string | null;
    labelled_by: string;
    version: number;
  }>('SELECT incident_id, label, reason, note, labelled_by, version FROM review_labels ORDER BY incident_id');
const audit = () =>
  h.f.all<{
    entity: string;
    entity_key: string;
    action: string;
    actor: string;
    before_json: string | null;
    after_json: string | null;
  }>(
    "SELECT entity, entity_key, action, actor, before_json, after_json FROM user_audit WHERE entity = 'review_labels' ORDER BY id",
  );
const fpRatio = async () =>
  (await h.json(`/api/metrics/false-positive-ratio?team=search&from=${WEEK}&to=2024-03-17&grain=week`)).summary[0];

describe('labelling', () => {
  it('labels a whole rule in one write, recording who and when, with one audit row per incident', async () => {
    const before = await fpRatio();
    expect(before).toMatchObject({ pages: 2, nonActionable: 2, humanLabelled: 0 });
    const rule = ruleOf(await review(h), DISK);
    const body = await h.json(
      '/api/review/labels',
      200,
      send('POST', { items: itemsOf(rule), label: 'actionable', note: 'Disk really filled up: we cleaned it' }),
    );
    expect(body.items).toHaveLength(4);
    expect(body.items.find((i: { incidentId: string }) => i.incidentId === 'I6')).toMatchObject({
      label: 'actionable',
      reason: null,
      note: 'Disk really filled up: we cleaned it',
      labelledBy: 'Rita Reviewer',
      version: 2,
    });
    expect(body.items.find((i: { incidentId: string }) => i.incidentId === 'I7')).toMatchObject({ version: 1 });
    const trail = await audit();
    expect(trail.map((a) => `${a.entity_key}:${a.action}:${a.actor}`)).toEqual([
      'I6:update:Rita Reviewer',
      'I7:insert:Rita Reviewer',
      'I8:insert:Rita Reviewer',
      'I9:insert:Rita Reviewer',
    ]);
    expect(JSON.parse(trail[0]?.before_json ?? '{}')).toMatchObject({ label: 'non_actionable', labelledBy: 'reviewer' });
    // The metrics that read labels show it at once: I7's page is now actionable, by a reviewer.
    expect(await fpRatio()).toMatchObject({ pages: 2, nonActionable: 1, humanLabelled: 1, ratio: 0.5 });
    const rules = await h.json(`/api/alert-rules?team=search&from=${WEEK}&to=2024-03-17`);
    expect(rules.items.find((r: { signature: string }) => r.signature === DISK)).toMatchObject({
      nonActionable: 0,
      humanLabelled: 4,
    });
    const view = await review(h);
    expect(ruleOf(view, DISK).labelState).toBe('actionable');
    expect(view.header).toMatchObject({ falsePositiveRatio: 0.5, unlabelledIncidents: 1, unlabelledPages: 1 });
  });

  it('keeps what a write leaves out: a reason alone makes it non-actionable and keeps the note', async () => {
    const rule = ruleOf(await review(h), DISK);
    const i7 = rule.incidents[1];
    await h.json(
      '/api/review/labels',
      200,
      send('POST', { items: [{ incidentId: 'I7', version: i7.stored.version }], reason: 'check_is_faulty' }, 'Sam'),
    );
    const row = (await labels()).find((l) => l.incident_id === 'I7');
    expect(row).toMatchObject({
      label: 'non_actionable',
      reason: 'check_is_faulty',
      note: 'Disk really filled up: we cleaned it',
      labelled_by: 'Sam',
      version: 2,
    });
    // Relabelled actionable: the reason goes, the note stays.
    await h.json(
      '/api/review/labels',
      200,
      send('POST', { items: [{ incidentId: 'I7', version: 2 }], label: 'actionable' }, 'Sam'),
    );
    expect((await labels()).find((l) => l.incident_id === 'I7')).toMatchObject({ label: 'actionable', reason: null, version: 3 });
  });

  it('reports a write that changes nothing as unchanged, without a new version or audit row', async () => {
    const trail = (await audit()).length;
    const body = await h.json(
      '/api/review/labels',
      200,
      send('POST', { items: [{ incidentId: 'I7', version: 3 }], label: 'actionable' }),
    );
    expect(body.unchanged).toEqual(['I7']);
    expect(body.items[0]).toMatchObject({ incidentId: 'I7', version: 3 });
    expect((await audit()).length).toBe(trail);
  });

  it('removes labels with label null, so the suggestion stands again', async () => {
    await h.json('/api/review/labels', 200, send('POST', { items: [{ incidentId: 'I7', version: 3 }], label: null }));
    expect((await labels()).some((l) => l.incident_id === 'I7')).toBe(false);
    expect((await audit()).at(-1)).toMatchObject({ entity_key: 'I7', action: 'delete', after_json: null });
    const i7 = ruleOf(await review(h), DISK).incidents[1];
    expect(i7.stored).toBeNull();
    expect((await fpRatio()).humanLabelled).toBe(0);
  });

  it('labels incidents of several rules in one write (a bulk selection)', async () => {
    const view = await review(h);
    const items = [...itemsOf(ruleOf(view, P99)), { incidentId: 'I7', version: 0 }];
    const body = await h.json('/api/review/labels', 200, send('POST', { items, label: 'non_actionable', reason: 'duplicate' }));
    expect(body.items.map((i: { incidentId: string }) => i.incidentId).sort()).toEqual(['I5', 'I7']);
    expect(await fpRatio()).toMatchObject({ nonActionable: 2, humanLabelled: 2 });
  });
});

describe('the week as CSV', () => {
  it('holds every page with its rule, the label in force, reason, note and labeller', async () => {
    const res = await h.app.request(`/api/review/export.csv?team=search&week=${WEEK}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('vigil-review-search-2024-03-11.csv');
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const pages = rows.filter((r) => r.page_id);
    expect(pages.map((r) => r.page_id).sort()).toEqual(['N12', 'N14']);
    expect(pages.find((r) => r.page_id === 'N14')).toMatchObject({
      rule_signature: DISK,
      incident_id: 'I7',
      hour_class: 'sleep',
      recipient: 'Dee',
      label: 'non_actionable',
      label_source: 'reviewer',
      reason: 'duplicate',
      labelled_by: 'Rita Reviewer',
    });
    // Incidents that paged nobody are in the file too, with their labels.
    expect(rows.find((r) => r.incident_id === 'I6')).toMatchObject({
      page_id: '',
      label: 'actionable',
      label_source: 'reviewer',
      note: 'Disk really filled up: we cleaned it',
    });
  });
});

describe('label failures write nothing', () => {
  const snapshot = async () => JSON.stringify({ labels: await labels(), audit: (await audit()).length });

  it('needs the name of the reviewer', async () => {
    const before = await snapshot();
    const body = await h.json(
      '/api/review/labels',
      400,
      send('POST', { items: [{ incidentId: 'I8', version: 1 }], label: 'actionable' }, null),
    );
    expect(body.error.code).toBe('actor_required');
    expect(await snapshot()).toBe(before);
  });

  it('404 for an unknown incident, even among known ones', async () => {
    const before = await snapshot();
    const body = await h.json(
      '/api/review/labels',
      404,
      send('POST', {
        items: [
          { incidentId: 'I8', version: 1 },
          { incidentId: 'PNOPE', version: 0 },
        ],
        label: 'non_actionable',
      }),
    );
    expect(body.error.message).toMatch(/No incident "PNOPE"/);
    expect(body.error.missing).toEqual(['PNOPE']);
    expect(await snapshot()).toBe(before);
  });

  it('400 naming the allowed labels and reasons', async () => {
    const bad = await h.json(
      '/api/review/labels',
      400,
      send('POST', { items: [{ incidentId: 'I8', version: 1 }], label: 'noise' }),
    );
    expect(bad.error.message).toMatch(/label must be one of actionable, non_actionable/);
    expect(bad.error.allowed).toEqual(['actionable', 'non_actionable']);
    const reason = await h.json(
      '/api/review/labels',
      400,
      send('POST', { items: [{ incidentId: 'I8', version: 1 }], label: 'non_actionable', reason: 'annoying' }),
    );
    expect(reason.error.message).toMatch(
      /reason must be one of threshold_needs_tuning, check_is_faulty, expected, duplicate, informational_only, other/,
    );
    expect(reason.error.allowed).toHaveLength(6);
    const mismatch = await h.json(
      '/api/review/labels',
      400,
      send('POST', { items: [{ incidentId: 'I8', version: 1 }], label: 'actionable', reason: 'duplicate' }),
    );
    expect(mismatch.error.message).toMatch(/A reason only goes with non_actionable/);
  });

  it('400 for a note on an incident without a label, listed twice, or with no items', async () => {
    const noLabel = await h.json(
      '/api/review/labels',
      400,
      send('POST', { items: [{ incidentId: 'I2', version: 0 }], note: 'hm' }),
    );
    expect(noLabel.error.message).toMatch(/Incident I2 has no label yet/);
    const twice = await h.json(
      '/api/review/labels',
      400,
      send('POST', {
        items: [
          { incidentId: 'I8', version: 1 },
          { incidentId: 'I8', version: 1 },
        ],
        label: 'actionable',
      }),
    );
    expect(twice.error.message).toMatch(/listed twice/);
    await h.json('/api/review/labels', 400, send('POST', { items: [], label: 'actionable' }));
  });

  it('413 for an oversized note', async () => {
    const before = await snapshot();
    const body = await h.json(
      '/api/review/labels',
      413,
      send('POST', { items: [{ incidentId: 'I8', version: 1 }], label: 'non_actionable', note: 'x'.repeat(2001) }),
    );
    expect(body.error).toMatchObject({ code: 'payload_too_large', limit: 2000 });
    expect(await snapshot()).toBe(before);
  });

  it('409 with the current labels when another reviewer changed one first; the whole write is refused', async () => {
    const rule = ruleOf(await review(h), DISK);
    const seen = itemsOf(rule);
    // Another reviewer relabels I8 after the page was loaded.
    await h.json(
      '/api/review/labels',
      200,
      send('POST', { items: [{ incidentId: 'I8', version: 1 }], label: 'non_actionable' }, 'Other'),
    );
    const before = await snapshot();
    const body = await h.json('/api/review/labels', 409, send('POST', { items: seen, label: 'actionable' }));
    expect(body.error.code).toBe('conflict');
    expect(body.error.current).toEqual([
      expect.objectContaining({ incidentId: 'I8', label: 'non_actionable', labelledBy: 'Other', version: 2 }),
    ]);
    expect(body.error.yourVersions).toEqual({ I8: 1 });
    expect(await snapshot()).toBe(before);
  });
});

describe('the derived facts', () => {
  it("equal what the metrics engine's own next refresh derives, so a label write never drifts from a rebuild", async () => {
    const facts = () =>
      h.f.all(
        `SELECT 'i' AS t, id, label, label_source, human_label, human_reason, labelled_by FROM d_incidents
         UNION ALL SELECT 'p', id, label, label_source, NULL, NULL, NULL FROM d_pages ORDER BY 1, 2`,
      );
    const afterWrites = await facts();
    expect((await h.f.refresh()).mode).toBe('incremental');
    expect(await facts()).toEqual(afterWrites);
    await h.f.refresh({ full: true });
    expect(await facts()).toEqual(afterWrites);
  });
});

describe('with sign-in on', () => {
  it('records the signed-in user, whatever name the header claims', async () => {
    const secured = createApp({
      db: h.f.db,
      config: h.f.config,
      log: () => {},
      auth: { users: new Map([['ana', 'correct-horse']]) },
    });
    const basic = `Basic ${Buffer.from('ana:correct-horse').toString('base64')}`;
    const version = (await labels()).find((l) => l.incident_id === 'I9')?.version ?? 0;
    const res = await secured.request('/api/review/labels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: basic, 'X-Vigil-Actor': 'Mallory' },
      body: JSON.stringify({ items: [{ incidentId: 'I9', version }], label: 'non_actionable', reason: 'other' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await labels()).find((l) => l.incident_id === 'I9')).toMatchObject({ labelled_by: 'ana', reason: 'other' });
    const anonymous = await secured.request('/api/review/labels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Vigil-Actor': 'Mallory' },
      body: JSON.stringify({ items: [{ incidentId: 'I9', version: version + 1 }], label: 'actionable' }),
    });
    expect(anonymous.status).toBe(401);
  });
});
