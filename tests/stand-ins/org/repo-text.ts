// The words of a repository's history: pull-request titles, branch names, commit messages and
// release notes, derived from the numeric plan's text seeds so they are stable and varied.
import { DEP_NAMES, DIRECT_PUSH_MESSAGES, ISSUE_TITLES, PR_OBJECTS, PR_VERBS } from './names.ts';
import { hash32 } from './prng.ts';
import type { IssuePlan, PrPlan, PushPlan } from './timeline-types.ts';

function pickBy<T>(items: readonly T[], seed: number, salt: number): T {
  return items[hash32(seed, salt) % items.length] as T;
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

export function depBump(seed: number): { dep: string; from: string; to: string } {
  const dep = pickBy(DEP_NAMES, seed, 1);
  const major = 1 + (hash32(seed, 2) % 9);
  const minor = hash32(seed, 3) % 20;
  const patch = hash32(seed, 4) % 9;
  return { dep, from: `${major}.${minor}.${patch}`, to: `${major}.${minor}.${patch + 1 + (hash32(seed, 5) % 3)}` };
}

export function prTitle(pr: PrPlan): string {
  if (pr.kind === 'dependabot') {
    const b = depBump(pr.text);
    return `Bump ${b.dep} from ${b.from} to ${b.to}`;
  }
  const object = pickBy(PR_OBJECTS, pr.text, 7);
  if (pr.kind === 'hotfix') return `Fix regression in ${object}`;
  return `${pickBy(PR_VERBS, pr.text, 6)} ${object}`;
}

export function prHeadRef(pr: PrPlan, authorLogin: string): string {
  if (pr.kind === 'dependabot') {
    const b = depBump(pr.text);
    return `dependabot/npm_and_yarn/${b.dep.replace(/[^a-z0-9]+/gi, '-')}-${b.to}`;
  }
  if (pr.kind === 'hotfix') return `hotfix/${slugify(prTitle(pr))}`;
  return `${authorLogin}/${slugify(prTitle(pr))}-${pr.text % 1000}`;
}

export function prLabels(pr: PrPlan): string[] {
  if (pr.kind === 'dependabot') return ['dependencies'];
  if (pr.kind === 'hotfix') return ['bug', 'hotfix'];
  const title = prTitle(pr);
  if (title.startsWith('Fix')) return ['bug'];
  return hash32(pr.text, 9) % 3 === 0 ? ['enhancement'] : [];
}

export function prBody(pr: PrPlan): string {
  if (pr.kind === 'dependabot') {
    const b = depBump(pr.text);
    return `Bumps ${b.dep} from ${b.from} to ${b.to}.\n\nDependabot will resolve any conflicts with this PR as long as you don't alter it yourself.`;
  }
  return `## Summary\n${prTitle(pr)}.\n\n## Testing\n- unit tests\n- checked on staging`;
}

const FOLLOW_UPS = [
  'Address review comments',
  'Fix failing test',
  'Add tests',
  'Rename for clarity',
  'Handle edge case',
  'Update docs',
];

export function sideMessage(pr: PrPlan, j: number): string {
  if (j === 0) return prTitle(pr);
  return pickBy(FOLLOW_UPS, pr.text, 100 + j);
}

export function pushMessage(push: PushPlan): string {
  return pickBy(DIRECT_PUSH_MESSAGES, push.text, 11);
}

export function issueTitle(issue: IssuePlan): string {
  return pickBy(ISSUE_TITLES, issue.text, 12);
}

export function issueLabels(issue: IssuePlan, severityLabel: string | null): string[] {
  if (issue.kind === 'postmortem') return severityLabel ? ['incident', 'postmortem', severityLabel] : ['incident', 'postmortem'];
  if (issue.kind === 'bug') return ['bug'];
  if (issue.kind === 'feature') return ['enhancement'];
  return ['chore'];
}
