// Follow-ups per alert rule and the hand-off note through the API: created with who and when,
// carried into the next weeks' reviews until done, versions checked on every change (409 with the
// current value), every change in user_audit, and every bad input refused with nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISK, P99, type ReviewHarness, review, ruleOf, send, startHarness, WEEK } from './support.ts';

let h: ReviewHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const auditOf = (entity: string) =>
  h.f.all<{ entity_key: string; action: string; actor: string }>(
    'SELECT entity_key, action, actor FROM user_audit WHERE entity = $entity ORDER BY id',
    { entity },
  );

describe('follow-ups', () => {
  let id: string;

  it('opens a follow-up on a rule, with who and when', async () => {
    const created = await h.json(
      '/api/review/follow-ups',
      201,
      send('POST', {
        team: 'search',
        week: WEEK,
        ruleSignature: DISK,
        title: 'Raise the disk threshold to 95%',
        url: 'https://tracker.example.com/OPS-12',
        owner: 'Cy',
      }),
    );
    id = created.id;
    expect(created).toMatchObject({
      scopeKey: 'search',
      ruleSignature: DISK,
      ruleTitle: 'disk usage <n>% on <host>',
      openedWeek: WEEK,
      done: false,
      createdBy: 'Rita Reviewer',
      version: 1,
    });
    const view = await review(h);
    expect(ruleOf(view, DISK).followUps).toEqual([expect.objectContaining({ id, carriedOver: false })]);
    expect(view.header.openFollowUps).toBe(1);
    expect(await auditOf('follow_ups')).toEqual([{ entity_key: id, action: 'insert', actor: 'Rita Reviewer' }]);
  });

  it('carries an open follow-up into the next weeks, even when its rule stays quiet', async () => {
    const next = await review(h, 'team=search&week=2024-03-18');
    expect(next.rules.some((r: { signature: string }) => r.signature === DISK)).toBe(false);
    expect(next.otherFollowUps).toEqual([expect.objectContaining({ id, carriedOver: true })]);
    expect(next.header.openFollowUps).toBe(1);
    // Not in the week before it was opened.
    expect((await review(h, 'team=search&week=2024-03-04')).otherFollowUps).toEqual([]);
  });

  it('refuses a stale change with the current follow-up', async () => {
    await h.json(`/api/review/follow-ups/${id}`, 200, send('PUT', { owner: 'Dee', version: 1 }, 'Dee'));
    const body = await h.json(`/api/review/follow-ups/${id}`, 409, send('PUT', { title: 'Something else', version: 1 }));
    expect(body.error.current).toMatchObject({ owner: 'Dee', version: 2, updatedBy: 'Dee' });
    expect(body.error.message).toMatch(/Dee changed this follow-up/);
  });

  it('closes it: shown in the week it was closed, gone from the weeks after', async () => {
    const done = await h.json(`/api/review/follow-ups/${id}`, 200, send('PUT', { done: true, version: 2 }));
    expect(done).toMatchObject({ done: true, version: 3 });
    expect(done.doneAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Closed now (today), so every past week still lists it as it is now: done.
    const view = await review(h);
    expect(ruleOf(view, DISK).followUps[0]).toMatchObject({ done: true, carriedOver: false });
    expect(view.header.openFollowUps).toBe(0);
    // Closed follow-ups count in the trends of the week they were closed in; the week it was opened counts it as opened.
    const trends = await h.json(`/api/review/trends?team=search&week=${WEEK}&weeks=1`);
    expect(trends.weeks[0]).toMatchObject({ followUpsOpened: 1 });
  });

  it('deletes it with the version loaded', async () => {
    await h.json(`/api/review/follow-ups/${id}?version=1`, 409, send('DELETE'));
    const body = await h.json(`/api/review/follow-ups/${id}?version=3`, 200, send('DELETE'));
    expect(body.removed).toMatchObject({ id, title: 'Raise the disk threshold to 95%' });
    await h.json(`/api/review/follow-ups/${id}?version=3`, 404, send('DELETE'));
    expect((await auditOf('follow_ups')).map((a) => a.action)).toEqual(['insert', 'update', 'update', 'delete']);
  });

  it.each([
    [{ team: 'search', week: WEEK, ruleSignature: 'SSVC1:no such rule', title: 'x' }, 404, /No alert rule/],
    [{ team: 'nobody', week: WEEK, ruleSignature: P99, title: 'x' }, 404, /No team "nobody"/],
    [{ team: 'search', week: WEEK, ruleSignature: P99, title: '' }, 400, /title must be/],
    [{ team: 'search', week: WEEK, ruleSignature: P99 }, 400, /title is required/],
    [
      { team: 'search', week: WEEK, ruleSignature: P99, title: 'x', url: 'javascript:alert(1)' },
      400,
      /url must be an http\(s\) link/,
    ],
    [{ team: 'search', week: WEEK, ruleSignature: P99, title: 'x'.repeat(201) }, 413, /at most 200/],
    [{ team: 'search', week: WEEK, ruleSignature: P99, title: 'x', colour: 'red' }, 400, /Unknown field "colour"/],
    [{ team: 'search', ruleSignature: P99, title: 'x' }, 400, /week is required/],
  ])('refuses %j with %i', async (body, status, message) => {
    const before = (await h.f.all('SELECT id FROM follow_ups')).length;
    const answer = await h.json('/api/review/follow-ups', status, send('POST', body));
    expect(answer.error.message).toMatch(message);
    expect((await h.f.all('SELECT id FROM follow_ups')).length).toBe(before);
  });

  it('404 for changing a follow-up that does not exist', async () => {
    await h.json('/api/review/follow-ups/nope', 404, send('PUT', { done: true, version: 1 }));
  });
});

describe('the hand-off note', () => {
  it('is written once per team-week, with who and when', async () => {
    const note = await h.json(
      '/api/review/notes',
      200,
      send('PUT', { team: 'search', week: WEEK, body: 'Disk alerts are noise until OPS-12 lands.', version: 0 }),
    );
    expect(note).toMatchObject({ scopeKey: 'search', week: WEEK, version: 1, updatedBy: 'Rita Reviewer' });
    expect((await review(h)).note).toMatchObject({ body: 'Disk alerts are noise until OPS-12 lands.', version: 1 });
    // Any day of the week names the same week.
    const again = await h.json(
      '/api/review/notes',
      200,
      send('PUT', { team: 'search', week: '2024-03-15', body: 'Updated.', version: 1 }, 'Sam'),
    );
    expect(again).toMatchObject({ week: WEEK, version: 2, updatedBy: 'Sam', body: 'Updated.' });
    expect((await auditOf('review_notes')).map((a) => `${a.entity_key}:${a.action}:${a.actor}`)).toEqual([
      `search|${WEEK}:insert:Rita Reviewer`,
      `search|${WEEK}:update:Sam`,
    ]);
  });

  it('refuses a stale write with the current note, and a second "first" note too', async () => {
    const stale = await h.json('/api/review/notes', 409, send('PUT', { team: 'search', week: WEEK, body: 'Mine', version: 1 }));
    expect(stale.error.current).toMatchObject({ body: 'Updated.', version: 2, updatedBy: 'Sam' });
    await h.json('/api/review/notes', 409, send('PUT', { team: 'search', week: WEEK, body: 'Mine', version: 0 }));
    expect((await review(h)).note.body).toBe('Updated.');
  });

  it('keeps notes per schedule apart from the team', async () => {
    await h.json('/api/review/notes', 200, send('PUT', { schedule: 'SSCHED', week: WEEK, body: 'Schedule note', version: 0 }));
    expect((await review(h, `schedule=SSCHED&week=${WEEK}`)).note.body).toBe('Schedule note');
    expect((await review(h)).note.body).toBe('Updated.');
  });

  it('413 for an oversized note, 400 for a missing week or body, nothing written', async () => {
    const big = await h.json(
      '/api/review/notes',
      413,
      send('PUT', { team: 'search', week: WEEK, body: 'x'.repeat(20_001), version: 2 }),
    );
    expect(big.error.limit).toBe(20_000);
    await h.json('/api/review/notes', 400, send('PUT', { team: 'search', body: 'x', version: 2 }));
    await h.json('/api/review/notes', 400, send('PUT', { team: 'search', week: WEEK, version: 2 }));
    await h.json('/api/review/notes', 400, send('PUT', { team: 'search', week: WEEK, body: 'x' }));
    await h.json('/api/review/notes', 400, send('PUT', { team: 'search', week: WEEK, body: 'x', version: 2 }, null));
    expect((await review(h)).note).toMatchObject({ body: 'Updated.', version: 2 });
  });
});
