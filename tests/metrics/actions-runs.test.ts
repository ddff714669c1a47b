// Runs of a repository's configured deploy workflow are production deployments, whatever its
// environment pattern: the GitHub collector stores them with source 'actions'.
import { afterAll, describe, expect, it } from 'vitest';
import { Fixture } from './fixture.ts';

describe('Actions workflow runs', () => {
  let f: Fixture;
  afterAll(() => f?.close());

  it('count as production deployments even when the pattern names another environment', async () => {
    // acme/pay-web's pattern is ^prod$ (fixture.ts); its runs arrive as environment 'production'.
    f = await Fixture.create();
    await f.db.run(
      `INSERT INTO deployments (id, repo, source, github_id, sha, ref, environment, created_at, status, status_at, succeeded_at, final, synced_at)
       VALUES ('run:1', 'acme/pay-web', 'actions', 1, 'aaaaaaa1', 'main', 'production', '2024-03-04T10:00:00Z', 'success',
               '2024-03-04T10:05:00Z', '2024-03-04T10:05:00Z', true, '2024-06-01T00:00:00Z'),
              ('d-staging', 'acme/pay-web', 'deployments', 2, 'aaaaaaa2', 'main', 'production', '2024-03-04T11:00:00Z', 'success',
               '2024-03-04T11:05:00Z', '2024-03-04T11:05:00Z', true, '2024-06-01T00:00:00Z')`,
    );
    await f.refresh();
    const rows = await f.db.all("SELECT id, production FROM d_deployments WHERE repo = 'acme/pay-web' ORDER BY id");
    expect(rows).toEqual([
      { id: 'd-staging', production: false },
      { id: 'run:1', production: true },
    ]);
  });
});
