// Reading and validating the config file. Every problem is reported with the file, the field
// path and what was expected, so `vigil check-config` can print it and exit 2.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type VigilConfig } from './schema.ts';

export const DEFAULT_CONFIG_FILE = 'vigil.config.yaml';

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      problems.length === 1 && problems[0]?.path === ''
        ? `${file}: ${problems[0]?.message}`
        : `${file} is not a valid Vigil config:\n${problems.map((p) => `  ${p.path || '(top level)'}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  file: string;
  config: VigilConfig;
}

/** Format a zod issue path the way people write it: teams[0].repos[1].name */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type') {
    const expected = issue.expected;
    return issue.message.includes('received undefined') ? `required (expected ${expected})` : `expected ${expected}`;
  }
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/** Validate an already-parsed config object. */
export function parseConfig(file: string, raw: unknown): VigilConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: describeIssue(issue) })),
    );
  }
  const config = result.data;
  // The database path is relative to the config file, not to wherever vigil was started.
  if (config.database !== ':memory:' && !isAbsolute(config.database)) {
    config.database = resolve(dirname(file), config.database);
  }
  return config;
}

/** Read, parse and validate the config file at `file`. */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE): LoadedConfig {
  const full = resolve(file);
  if (!existsSync(full)) {
    throw new ConfigError(full, [
      { path: '', message: 'no such file. Run `vigil init` to write a starter config, or pass --config PATH.' },
    ]);
  }
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new ConfigError(full, [{ path: '', message: `cannot be read: ${(error as Error).message}` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      full,
      doc.errors.map((e) => {
        const line = e.linePos?.[0];
        return { path: line ? `line ${line.line}, column ${line.col}` : '', message: e.message.split('\n')[0] ?? e.message };
      }),
    );
  }
  return { file: full, config: parseConfig(full, doc.toJS()) };
}

export interface Tokens {
  github?: string;
  pagerduty?: string;
}

/** Tokens come only from the environment, never from the config file. */
export function readTokens(env: NodeJS.ProcessEnv = process.env): Tokens {
  const github = env.GITHUB_TOKEN?.trim();
  const pagerduty = env.PAGERDUTY_TOKEN?.trim();
  return { ...(github ? { github } : {}), ...(pagerduty ? { pagerduty } : {}) };
}
