// The PagerDuty stand-in behaves like api.pagerduty.com where collectors can tell: Token and Bearer
// auth, offset paging with more/total and the 10,000 cap, the incidents and notifications range
// rules, time_zone rendering, include[], notify log entries that link pages to incidents, and the
// per-minute budget with ratelimit-* headers.
import { describe, expect, it } from 'vitest';
import { PD_TOKEN, pagerduty, pdGet, testOrg } from './support/org.ts';

type Body = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Body;

describe('PagerDuty stand-in: authentication and errors', async () => {
  const store = await testOrg();
  const pd = await pagerduty(store);

  it('accepts `Token token=…` and `Bearer …`', async () => {
    for (const auth of [`Token token=${PD_TOKEN}`, `Token token="${PD_TOKEN}"`, `Bearer ${PD_TOKEN}`]) {
      expect((await fetch(`${pd.url}/priorities`, { headers: { authorization: auth } })).status).toBe(200);
    }
  });

  it('answers a missing or wrong token with 401 in PagerDuty’s error shape', async () => {
    const missing = await fetch(`${pd.url}/incidents`);
    expect(missing.status).toBe(401);
    expect(await json(missing)).toMatchObject({ error: { code: 2006, message: 'Authentication required' } });
    const wrong = await fetch(`${pd.url}/incidents`, { headers: { authorization: 'Token token=nope' } });
    expect(wrong.status).toBe(401);
    expect(await json(wrong)).toMatchObject({
      error: { code: 2006, message: 'Authentication failed', errors: [expect.any(String)] },
    });
  });

  it('answers unknown ids and paths with 404 code 2100', async () => {
    for (const path of ['/incidents/NOPE', '/users/NOPE', '/no/such/thing']) {
      const res = await pdGet(pd, path);
      expect(res.status).toBe(404);
      expect(await json(res)).toEqual({ error: { message: 'Not Found', code: 2100, errors: [] } });
    }
  });

  it('rejects bad input with 400 code 2001 and says what was wrong', async () => {
    for (const path of [
      '/incidents?statuses[]=open',
      '/incidents?include[]=everything',
      '/incidents?time_zone=Mars/Olympus',
      '/incidents?since=yesterday',
      '/incidents?sort_by=title',
      '/incidents?limit=ten',
    ]) {
      const res = await pdGet(pd, path);
      expect(res.status, path).toBe(400);
      const body = await json(res);
      expect(body.error).toMatchObject({ code: 2001, message: 'Invalid Input Provided' });
      expect((body.error as { errors: string[] }).errors[0]).toBeTruthy();
    }
  });
});

describe('PagerDuty stand-in: paging and limits', async () => {
  const store = await testOrg();
  const pd = await pagerduty(store);

  it('pages incidents with limit/offset/more/total to the end, each exactly once', async () => {
    const expected = (await store.incidents({ all: true }, 0, 10_000)).items.map((i) => i.id);
    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const body = await json(await pdGet(pd, `/incidents?date_range=all&limit=40&offset=${offset}&total=true`));
      expect(body).toMatchObject({ limit: 40, offset, total: expected.length });
      seen.push(...(body.incidents as { id: string }[]).map((i) => i.id));
      if (!body.more) break;
      offset += 40;
    }
    expect(seen).toEqual(expected);
  });

  it('reports total only when asked, defaults limit to 25 and clamps it at 100', async () => {
    const plain = await json(await pdGet(pd, '/incidents?date_range=all'));
    expect(plain.total).toBeNull();
    expect(plain.limit).toBe(25);
    expect((plain.incidents as unknown[]).length).toBe(25);
    const big = await json(await pdGet(pd, '/incidents?date_range=all&limit=500'));
    expect(big.limit).toBe(100);
    expect((big.incidents as unknown[]).length).toBe(100);
  });

  it('answers offset + limit over 10,000 with 400 code 2002, as the real API does', async () => {
    for (const path of [
      '/log_entries?offset=9901&limit=100',
      '/incidents?date_range=all&offset=10000&limit=1',
      '/notifications?since=2024-05-01&until=2024-06-01&offset=9999&limit=2',
    ]) {
      const res = await pdGet(pd, path);
      expect(res.status, path).toBe(400);
      const body = await json(res);
      expect(body.error).toMatchObject({ code: 2002, message: 'Arguments Caused Error' });
      expect((body.error as { errors: string[] }).errors[0]).toMatch(/Offset\+limit exceeds maximum allowed value of 10000/);
    }
    expect((await pdGet(pd, '/log_entries?offset=9900&limit=100')).status).toBe(200);
  });

  it('limits /incidents to a 6-month since/until range, and date_range=all ignores it', async () => {
    const ok = await pdGet(pd, '/incidents?since=2023-11-01T00:00:00Z&until=2024-05-01T00:00:00Z');
    expect(ok.status).toBe(200);
    const tooWide = await pdGet(pd, '/incidents?since=2023-11-01T00:00:00Z&until=2024-05-01T00:00:01Z');
    expect(tooWide.status).toBe(400);
    expect(JSON.stringify(await json(tooWide))).toMatch(/maximum range is 6 months/);
    expect((await pdGet(pd, '/incidents?since=2020-01-01T00:00:00Z&until=2024-06-01T00:00:00Z&date_range=all')).status).toBe(200);
    expect((await pdGet(pd, '/incidents?since=2024-05-01T00:00:00Z&until=2024-04-01T00:00:00Z')).status).toBe(400);
  });

  it('defaults /incidents to the month before the clock', async () => {
    const body = await json(await pdGet(pd, '/incidents?limit=100&total=true'));
    const clock = Date.parse(store.clock());
    const monthBefore = new Date(clock);
    monthBefore.setUTCMonth(monthBefore.getUTCMonth() - 1);
    const expected = (await store.incidents({ since: monthBefore.toISOString(), until: store.clock() }, 0, 100)).total;
    expect(expected).toBeGreaterThan(0);
    expect(body.total).toBe(expected);
    for (const i of body.incidents as { created_at: string }[])
      expect(Date.parse(i.created_at)).toBeGreaterThanOrEqual(clock - 31 * 86400_000);
  });

  it('requires since and until on /notifications and keeps the range under 3 months', async () => {
    expect((await pdGet(pd, '/notifications')).status).toBe(400);
    expect((await pdGet(pd, '/notifications?since=2024-03-01T00:00:00Z&until=2024-06-01T00:00:00Z')).status).toBe(400);
    const ok = await json(await pdGet(pd, '/notifications?since=2024-03-01T00:00:00Z&until=2024-05-31T23:59:59Z&limit=100'));
    const notes = ok.notifications as Body[];
    expect(notes.length).toBeGreaterThan(0);
    const types = new Set(notes.map((n) => n.type));
    for (const t of ['sms_notification', 'phone_notification', 'push_notification', 'email_notification'])
      expect(types).toContain(t);
    // GET /notifications has no incident field, as on the real API.
    for (const n of notes) expect(n).not.toHaveProperty('incident');
    const sms = await json(
      await pdGet(pd, '/notifications?since=2024-03-01T00:00:00Z&until=2024-05-31T00:00:00Z&filter=sms_notification&limit=100'),
    );
    expect((sms.notifications as Body[]).every((n) => n.type === 'sms_notification')).toBe(true);
  });

  it('filters incidents with array parameters and sorts them', async () => {
    const svc = store.services[0]!.id;
    const body = await json(
      await pdGet(pd, `/incidents?date_range=all&limit=100&service_ids[]=${svc}&urgencies[]=high&sort_by=created_at:desc`),
    );
    const list = body.incidents as { service: { id: string }; urgency: string; created_at: string }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((i) => i.service.id === svc && i.urgency === 'high')).toBe(true);
    const times = list.map((i) => Date.parse(i.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const open = await json(await pdGet(pd, '/incidents?date_range=all&statuses[]=triggered&statuses[]=acknowledged'));
    expect((open.incidents as { status: string }[]).every((i) => i.status !== 'resolved')).toBe(true);
  });
});

describe('PagerDuty stand-in: rendering', async () => {
  const store = await testOrg();
  const pd = await pagerduty(store);

  it('renders timestamps in the requested time zone with offsets, and UTC with Z', async () => {
    const id = (await store.incidents({ all: true }, 0, 1)).items[0]!;
    const utc = (await json(await pdGet(pd, `/incidents/${id.id}`))).incident as Body;
    expect(utc.created_at).toMatch(/Z$/);
    const ny = (await json(await pdGet(pd, `/incidents/${id.id}?time_zone=America/New_York`))).incident as Body;
    expect(ny.created_at).toMatch(/-0[45]:00$/);
    expect(Date.parse(ny.created_at as string)).toBe(Date.parse(utc.created_at as string));
    const kolkata = (await json(await pdGet(pd, `/log_entries?limit=1&time_zone=Asia/Kolkata`))).log_entries as Body[];
    expect(kolkata[0]!.created_at).toMatch(/\+05:30$/);
  });

  it('reads bare since/until in the request’s time zone', async () => {
    const utc = await json(await pdGet(pd, '/incidents?since=2024-05-01T00:00:00Z&until=2024-05-10T00:00:00Z&total=true'));
    const sameInTokyo = await json(
      await pdGet(pd, '/incidents?since=2024-05-01T09:00:00&until=2024-05-10T09:00:00&time_zone=Asia/Tokyo&total=true'),
    );
    expect(utc.total).toBeGreaterThan(0);
    expect(sameInTokyo.total).toBe(utc.total);
    expect((sameInTokyo.incidents as Body[])[0]!.created_at).toMatch(/\+09:00$/);
    // The same wall times without a zone are read in the account's zone (UTC): another window.
    const shifted = await json(await pdGet(pd, '/incidents?since=2024-05-01T09:00:00&until=2024-05-10T09:00:00&total=true'));
    expect((shifted.incidents as Body[]).map((i) => i.id)).not.toEqual((utc.incidents as Body[]).map((i) => i.id));
  });

  it('renders full resources with self, html_url on the fake subdomain, summary and type', async () => {
    const inc = ((await json(await pdGet(pd, '/incidents?date_range=all&limit=1'))).incidents as Body[])[0]!;
    expect(inc).toMatchObject({
      type: 'incident',
      self: expect.stringMatching(new RegExp(`^${pd.url}/incidents/`)),
      html_url: expect.stringMatching(/^https:\/\/vigil-sim\.pagerduty\.com\/incidents\//),
    });
    expect(inc.service).toMatchObject({ type: 'service_reference', summary: expect.any(String) });
    expect(inc.first_trigger_log_entry).toMatchObject({ type: 'trigger_log_entry_reference' });
    const users = (await json(await pdGet(pd, '/users'))).users as Body[];
    expect(users.map((u) => u.time_zone)).toEqual(store.users.map((u) => u.timeZone));
  });

  it('expands include[] references into full objects', async () => {
    const inc = (
      (
        await json(
          await pdGet(
            pd,
            '/incidents?date_range=all&limit=1&include[]=services&include[]=first_trigger_log_entries&include[]=priorities&include[]=teams',
          ),
        )
      ).incidents as Body[]
    )[0]!;
    expect(inc.service).toMatchObject({ type: 'service', name: expect.any(String) });
    expect(inc.first_trigger_log_entry).toMatchObject({ type: 'trigger_log_entry', created_at: inc.created_at });
    expect((inc.teams as Body[])[0]).toMatchObject({ type: 'team' });
    const notes = (await json(await pdGet(pd, '/notifications?since=2024-05-01&until=2024-06-01&include[]=users')))
      .notifications as Body[];
    expect(notes[0]!.user).toMatchObject({ type: 'user', email: expect.any(String), time_zone: expect.any(String) });
  });

  it('emits acknowledge_log_entry, and notify entries that link each page to its incident', async () => {
    let incident = (await store.incidents({ all: true, statuses: ['resolved'] }, 0, 1)).items[0]!;
    for (const candidate of (await store.incidents({ all: true, statuses: ['resolved'] }, 0, 100)).items) {
      const types = (await store.logEntries({ incidentId: candidate.id }, 0, 100)).items.map((e) => e.type);
      if (types.includes('acknowledge_log_entry') && types.includes('notify_log_entry')) {
        incident = candidate;
        break;
      }
    }
    const entries = (await json(await pdGet(pd, `/incidents/${incident.id}/log_entries?limit=100`))).log_entries as Body[];
    const types = entries.map((e) => e.type);
    expect(types).toContain('acknowledge_log_entry');
    expect(types).not.toContain('acknowledgement_log_entry');
    const notify = entries.filter((e) => e.type === 'notify_log_entry');
    expect(notify.length).toBeGreaterThan(0);
    const since = new Date(Date.parse(incident.createdAt) - 3600_000).toISOString();
    const until = new Date(Date.parse(incident.createdAt) + 86400_000).toISOString();
    const pages = (await json(await pdGet(pd, `/notifications?since=${since}&until=${until}&limit=100`))).notifications as Body[];
    for (const e of notify) {
      expect(e.user).toMatchObject({ type: 'user_reference' });
      const n = (e.channel as Body).notification as Body;
      expect(n).toMatchObject({ id: expect.any(String), type: expect.stringMatching(/_notification$/) });
      expect(pages.map((p) => p.id)).toContain(n.id);
      expect((e.incident as Body).id).toBe(incident.id);
    }
    const overview = (await json(await pdGet(pd, `/incidents/${incident.id}/log_entries?is_overview=true`)))
      .log_entries as Body[];
    expect(overview.length).toBeLessThan(entries.length);
    expect(overview.some((e) => e.type === 'notify_log_entry')).toBe(false);
  });

  it('answers on-call shifts overlapping since/until, and limits until to 90 days ahead', async () => {
    const body = await json(
      await pdGet(pd, '/oncalls?since=2024-06-01T00:00:00Z&until=2024-06-15T00:00:00Z&time_zone=Europe/Berlin'),
    );
    const all = body.oncalls as { start: string | null; end: string | null; schedule: { id: string } | null }[];
    // Permanent on-calls (a user named directly in an escalation rule) have no start or end.
    for (const s of all.filter((o) => o.start === null)) expect(s).toMatchObject({ end: null, schedule: null });
    const shifts = all.filter((o) => o.start !== null) as { start: string; end: string }[];
    expect(shifts.length).toBeGreaterThan(0);
    for (const s of shifts) {
      expect(Date.parse(s.start)).toBeLessThan(Date.parse('2024-06-15T00:00:00Z'));
      expect(Date.parse(s.end)).toBeGreaterThan(Date.parse('2024-06-01T00:00:00Z'));
      expect(s.start).toMatch(/\+0[12]:00$/);
    }
    const farAhead = new Date(Date.parse(store.clock()) + 91 * 86400_000).toISOString();
    expect((await pdGet(pd, `/oncalls?until=${farAhead}`)).status).toBe(400);
  });
});

describe('PagerDuty stand-in: rate limit', async () => {
  let now = Date.parse('2024-07-01T12:00:00Z');
  const store = await testOrg();
  const pd = await pagerduty(store, { now: () => now, rateLimit: { perMinute: 3 } });

  it('answers over the per-minute budget with 429 and ratelimit-* headers, then recovers', async () => {
    const first = await pdGet(pd, '/priorities');
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(first.headers.get('ratelimit-reset')).toBe('60');
    await pdGet(pd, '/priorities');
    await pdGet(pd, '/priorities');
    now += 20_000;
    const limited = await pdGet(pd, '/priorities');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-reset')).toBe('40');
    expect(await json(limited)).toMatchObject({ error: { code: 2020, message: 'Rate Limit Exceeded' } });
    now += 40_000;
    expect((await pdGet(pd, '/priorities')).status).toBe(200);
  });
});
