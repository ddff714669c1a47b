// Writes the organisation from the config (teams, their repositories, services and schedules)
// into the database, so metrics can join on it. Replaced wholesale on every start: the config
// file is the source of truth for this mapping.
import type { Database } from '../db/index.ts';
import type { VigilConfig } from './schema.ts';

export async function applyConfig(db: Database, config: VigilConfig): Promise<void> {
  await db.write(async (tx) => {
    for (const table of ['team_repos', 'team_services', 'team_schedules', 'teams']) await tx.run(`DELETE FROM ${table}`);
    for (const team of config.teams) {
      await tx.run('INSERT INTO teams (id, name, time_zone) VALUES ($id, $name, $tz)', {
        id: team.id,
        name: team.name,
        tz: team.timeZone ?? config.timeZone,
      });
      for (const repo of team.repos) {
        await tx.run(
          `INSERT INTO team_repos (team_id, repo, production_pattern, workflow, workflow_branch)
           VALUES ($team, $repo, $pattern, $workflow, $branch) ON CONFLICT DO NOTHING`,
          {
            team: team.id,
            repo: repo.name,
            pattern: repo.productionPattern,
            workflow: repo.workflow?.file ?? null,
            branch: repo.workflow?.branch ?? null,
          },
        );
      }
      for (const service of team.services) {
        await tx.run('INSERT INTO team_services VALUES ($team, $id) ON CONFLICT DO NOTHING', { team: team.id, id: service });
      }
      for (const schedule of team.schedules) {
        await tx.run('INSERT INTO team_schedules VALUES ($team, $id) ON CONFLICT DO NOTHING', { team: team.id, id: schedule });
      }
    }
  });
}
