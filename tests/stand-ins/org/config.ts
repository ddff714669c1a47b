// Writes the Vigil config that matches a simulated organisation: each team with its repositories
// (and their production-environment patterns and deploy workflows), PagerDuty services, schedules
// and time zone, pointed at the stand-ins' base URLs. The demo and the end-to-end tests use it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { OrgStore } from './model.ts';
import { DAY, parseIso } from './time.ts';

export interface VigilConfigOptions {
  file: string;
  githubBaseUrl: string;
  pagerdutyBaseUrl: string;
  database: string;
  /**
   * The instant the collectors will treat as now (default: the store's clock). historyDays is
   * set so the first sync reaches back to the start of the simulated history from there.
   */
  now?: string;
  server?: { host?: string; port?: number };
}

/** Escape a literal for use inside a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The config object (as written) for a store. */
export function vigilConfigFor(store: OrgStore, options: Omit<VigilConfigOptions, 'file'>): Record<string, unknown> {
  const now = parseIso(options.now ?? store.clock(), 'now');
  const historyDays = Math.min(3650, Math.max(1, Math.ceil((now - parseIso(store.historyStart)) / DAY) + 1));
  const repos = new Map(store.repos.map((r) => [r.fullName, r]));
  return {
    database: options.database,
    timeZone: 'UTC',
    ...(options.server ? { server: { host: options.server.host ?? '127.0.0.1', port: options.server.port ?? 8787 } } : {}),
    github: { baseUrl: options.githubBaseUrl, historyDays },
    pagerduty: { baseUrl: options.pagerdutyBaseUrl, historyDays },
    teams: store.teams.map((team) => ({
      id: team.id,
      name: team.name,
      timeZone: team.timeZone,
      repos: team.repos.map((name) => {
        const repo = repos.get(name);
        if (!repo) throw new Error(`team ${team.id} lists unknown repository ${name}`);
        return {
          name: repo.fullName,
          productionPattern: `^${literal(repo.productionEnvironment)}$`,
          ...(repo.workflow ? { workflow: { file: repo.workflow.file, branch: repo.workflow.branch } } : {}),
        };
      }),
      services: [...team.serviceIds],
      schedules: [...team.scheduleIds],
    })),
  };
}

/** Write the config YAML to `options.file` (creating its folder) and return the object written. */
export function writeVigilConfig(store: OrgStore, options: VigilConfigOptions): Record<string, unknown> {
  const { file, ...rest } = options;
  const config = vigilConfigFor(store, rest);
  const header =
    `# Vigil config for the simulated organisation (seed ${store.options.seed}, size ${store.options.size}, anchor ${store.options.anchor}).\n` +
    '# Written by tests/stand-ins/org/config.ts; tokens come from GITHUB_TOKEN and PAGERDUTY_TOKEN.\n';
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, header + stringify(config, { lineWidth: 0 }));
  return config;
}
