// The incremental refresh must leave exactly what a full rebuild would: after a "sync" that adds
// and changes records of every kind (and a reviewer's label and link edits), the derived tables
// after an incremental refresh equal those of a full rebuild, row for row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedTableNames } from '../../server/metrics/derive/schema.ts';
import { type Fixture, sha } from './fixture.ts';
import { API, buildScenario } from './scenario.ts';

let f: Fixture;
beforeAll(async () => {
  f = await buildScenario();
  await f.refresh();
});
afterAll(() => f.close());

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of derivedTableNames) out[t] = await f.all(`SELECT * FROM ${t} ORDER BY ALL`);
  return out;
}

describe('incremental refresh', () => {
  it('does nothing when nothing changed', async () => {
    expect((await f.refresh()).mode).toBe('unchanged');
  });

  it('equals a full rebuild after new and changed records, labels and links', async () => {
    f.nextSync('2024-06-02T00:00:00Z');
    // A new deployment just before I10: the window now attributes I10 to it.
    await f.commit({ repo: API, sha: sha('pay-G'), at: '2024-03-09 06:00' });
    await f.deployment({ id: 'D9', repo: API, sha: sha('pay-G'), at: '2024-03-09 07:00' });
    await f.shipped('D9', API, [sha('pay-G')], sha('pay-E'));
    // A deployment synced late that happened between D4 and D5: neighbours, rollback flags and
    // I11's window attribution (now this deployment, not D4) all move.
    await f.commit({ repo: API, sha: sha('pay-H'), at: '2024-03-06 17:00' });
    await f.deployment({ id: 'D45', repo: API, sha: sha('pay-H'), at: '2024-03-06 18:00', githubId: 45 });
    await f.shipped('D45', API, [sha('pay-H')], sha('pay-B'));
    // A pull request synced late claims the lone commit L1 that D2 shipped: that change is now PR #3.
    await f.pull({
      repo: API,
      number: 3,
      mergedAt: '2024-03-04 13:00',
      mergeCommitSha: sha('pay-m3'),
      commits: [{ sha: sha('pay-L1'), at: '2024-03-04 12:00' }],
    });
    // I10 changed (re-synced with a later resolution).
    await f.db.run("DELETE FROM log_entries WHERE incident_id = 'I10'");
    await f.incident({
      id: 'I10',
      service: 'PSVC2',
      title: 'Payout batch late',
      priority: 'P1',
      at: '2024-03-09 08:00',
      ackAt: '2024-03-09 08:10',
      resolvedAt: '2024-03-09 12:00',
    });
    // Two more firings of the disk rule make I9 flap.
    for (const [id, at] of [
      ['I15', '2024-03-15 06:00'],
      ['I16', '2024-03-15 10:00'],
    ] as const) {
      await f.incident({
        id,
        service: 'SSVC1',
        title: 'Disk usage 99% on db-9.search.internal',
        at,
        resolvedAt: new Date(Date.parse(`${at.replace(' ', 'T')}:00Z`) + 20 * 60_000).toISOString(),
        resolvedBy: 'integration',
      });
    }
    // Pages inserted between existing ones, a shift that covers an off-call page, a new zone.
    await f.page({ id: 'N20', user: 'U1', at: '2024-03-06 21:03', incident: 'I11' });
    await f.page({ id: 'N21', user: 'U2', at: '2024-03-20 14:10', incident: 'I13' });
    await f.shift({ user: 'U4', schedule: 'SSCHED', start: '2024-03-13 00:00', end: '2024-03-14 00:00' });
    await f.user('U3', 'Asia/Tokyo', 'Cy');
    // Reviewer edits: a label removed, a link added.
    await f.db.run("DELETE FROM review_labels WHERE incident_id = 'I6'");
    await f.link('I12', 'D6', 'link', 'reviewer', '2024-06-02T00:00:00Z');

    const result = await f.refresh();
    expect(result.mode).toBe('incremental');
    const incremental = await snapshot();
    expect((await f.refresh({ full: true })).mode).toBe('full');
    const full = await snapshot();
    for (const t of derivedTableNames) expect(incremental[t], t).toEqual(full[t]);

    // And the changes landed where they should.
    expect(await f.one("SELECT cause, method, deployment_id FROM d_attribution WHERE incident_id = 'I10'")).toEqual({
      cause: 'change_caused',
      method: 'window',
      deployment_id: 'D9',
    });
    expect(await f.one("SELECT method, deployment_id FROM d_attribution WHERE incident_id = 'I12'")).toEqual({
      method: 'manual_link',
      deployment_id: 'D6',
    });
    expect(await f.one("SELECT flapping, label_source FROM d_incidents WHERE id = 'I9'")).toEqual({
      flapping: true,
      label_source: 'suggested',
    });
    expect(await f.one("SELECT label_source FROM d_incidents WHERE id = 'I6'")).toEqual({ label_source: 'suggested' });
    expect(await f.one('SELECT change_key, deployment_id FROM d_changes WHERE pr_number = 3')).toEqual({
      change_key: 'pr:3',
      deployment_id: 'D2',
    });
    const u2 = await f.all<{ id: string; interruption_start: boolean }>(
      "SELECT id, interruption_start FROM d_pages WHERE user_id = 'U2' AND started_at < '2024-03-21' ORDER BY started_at",
    );
    // 14:00 starts; 14:03 same; 14:06 new; 14:10 same (4 min after 14:06); 14:12 new (6 min after 14:06).
    expect(u2.map((p) => p.interruption_start)).toEqual([true, false, true, false, true]);
    expect(await f.one("SELECT on_call FROM d_pages WHERE id = 'N14'")).toEqual({ on_call: true });
    expect(await f.one("SELECT hour_class FROM d_pages WHERE id = 'N12'")).toEqual({ hour_class: 'sleep' });
  });

  it("re-derives a pull request's changes when its commits arrive after it was refreshed", async () => {
    // The collector stores a pull request, then its commits in a later batch, filling the pull
    // request's first commit and count in place (collectors/github/derive.ts) without moving its
    // synced_at: a refresh in between (another source's sync ending) must not leave the change's
    // lead time counted from the merge commit.
    f.nextSync('2024-06-02T12:00:00Z');
    await f.pull({
      repo: API,
      number: 4,
      mergedAt: '2024-03-09 06:30',
      mergeCommitSha: sha('pay-G'),
      commits: [{ sha: sha('pay-G'), at: '2024-03-08 20:00' }],
    });
    // As the pull request's own page left it: its commits not fetched yet.
    await f.db.run('DELETE FROM pull_request_commits WHERE number = 4');
    await f.db.run(
      'UPDATE pull_requests SET first_commit_at = NULL, commit_count = NULL, commits_synced = false WHERE number = 4',
    );
    expect((await f.refresh()).mode).toBe('incremental');
    await f.db.run(
      `INSERT INTO pull_request_commits (repo, number, sha, authored_at, committed_at)
       VALUES ($repo, 4, $sha, TIMESTAMPTZ '2024-03-08 18:00:00+00', TIMESTAMPTZ '2024-03-08 18:00:00+00')`,
      { repo: API, sha: sha('pay-G') },
    );
    await f.db.run(
      "UPDATE pull_requests SET first_commit_at = TIMESTAMPTZ '2024-03-08 18:00:00+00', commit_count = 1, commits_synced = true WHERE number = 4",
    );
    expect((await f.refresh()).mode).toBe('incremental');
    const incremental = await snapshot();
    expect(
      await f.one<{ t: string }>("SELECT strftime(first_commit_at, '%Y-%m-%d %H:%M') AS t FROM d_changes WHERE pr_number = 4"),
    ).toEqual({
      t: '2024-03-08 18:00',
    });
    expect((await f.refresh({ full: true })).mode).toBe('full');
    const full = await snapshot();
    for (const t of derivedTableNames) expect(incremental[t], t).toEqual(full[t]);
  });

  it('rebuilds everything when rows disappear from a source table', async () => {
    f.nextSync('2024-06-03T00:00:00Z');
    await f.db.run("DELETE FROM notifications WHERE id = 'N20'");
    const result = await f.refresh();
    expect(result).toMatchObject({ mode: 'full', reason: 'rows were removed from a source table' });
    expect(await f.one("SELECT count(*) AS n FROM d_pages WHERE id = 'N20'")).toEqual({ n: 0 });
  });

  it('rebuilds everything when the config changes a definition', async () => {
    const before = await f.one<{ n: number }>("SELECT count(*) AS n FROM d_pages WHERE hour_class = 'sleep'");
    const config = { ...f.config, onCall: { ...f.config.onCall, sleepHours: { start: '23:00', end: '07:00' } } };
    const { refreshDerived } = await import('../../server/metrics/refresh.ts');
    const result = await refreshDerived(f.db, config);
    expect(result).toMatchObject({ mode: 'full', reason: 'config changed' });
    const after = await f.one<{ n: number }>("SELECT count(*) AS n FROM d_pages WHERE hour_class = 'sleep'");
    expect(after?.n).toBeLessThan(before?.n ?? 0);
    await refreshDerived(f.db, f.config);
  });
});
