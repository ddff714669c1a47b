// What Vigil needs of each GitHub record, checked with zod before it is normalised. Only the fields
// Vigil reads are required (GitHub adds fields over time; extra ones are kept in raw untouched).
// Shapes follow GitHub's REST description (npm @octokit/openapi, generated/api.github.com.json):
// components/schemas deployment, deployment-status, commit-comparison, commit,
// pull-request-simple and workflow-run.
import { z } from 'zod';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO-8601 time' });
const user = z.object({ login: z.string() }).nullable().optional();
const gitActor = z
  .object({ name: z.string().nullable().optional(), email: z.string().nullable().optional(), date: isoTime.optional() })
  .nullable()
  .optional();

export const deploymentSchema = z.object({
  id: z.number().int().positive(),
  sha: z.string().min(1),
  ref: z.string(),
  task: z.string(),
  environment: z.string(),
  creator: user,
  created_at: isoTime,
  updated_at: isoTime,
});
export type GhDeployment = z.infer<typeof deploymentSchema>;

export const deploymentStatusSchema = z.object({
  id: z.number().int().positive(),
  state: z.string().min(1),
  creator: user,
  description: z.string().nullable().optional(),
  environment: z.string().nullable().optional(),
  log_url: z.string().nullable().optional(),
  target_url: z.string().nullable().optional(),
  created_at: isoTime,
  deployment_url: z.string().min(1),
});
export type GhDeploymentStatus = z.infer<typeof deploymentStatusSchema>;

export const commitSchema = z.object({
  sha: z.string().min(7),
  commit: z.object({ author: gitActor, committer: gitActor, message: z.string() }),
  author: user,
  parents: z.array(z.object({ sha: z.string() })),
});
export type GhCommit = z.infer<typeof commitSchema>;

export const compareSchema = z.object({
  status: z.string(),
  ahead_by: z.number().int(),
  behind_by: z.number().int(),
  total_commits: z.number().int(),
  commits: z.array(commitSchema),
});
export type GhCompare = z.infer<typeof compareSchema>;

export const pullSchema = z.object({
  number: z.number().int().positive(),
  state: z.string(),
  title: z.string(),
  user: user,
  draft: z.boolean().optional(),
  created_at: isoTime,
  updated_at: isoTime,
  closed_at: isoTime.nullable(),
  merged_at: isoTime.nullable(),
  merge_commit_sha: z.string().nullable(),
  head: z.object({ sha: z.string(), ref: z.string() }),
  base: z.object({ ref: z.string() }),
});
export type GhPull = z.infer<typeof pullSchema>;

export const workflowRunSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().nullable().optional(),
  head_branch: z.string().nullable(),
  head_sha: z.string().min(1),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  created_at: isoTime,
  updated_at: isoTime,
  run_started_at: isoTime.optional(),
  actor: user,
});
export type GhWorkflowRun = z.infer<typeof workflowRunSchema>;

export const workflowRunsPageSchema = z.object({ total_count: z.number().int(), workflow_runs: z.array(z.unknown()) });

/** One line per problem, with the field path: what a sync_errors row says about a bad payload. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}
