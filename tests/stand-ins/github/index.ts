// The GitHub REST stand-in: start it on a free loopback port over a simulated organisation.
export type { FaultRuleInput } from '../common/faults.ts';
export { type GitHubStandIn, type GitHubStandInOptions, SUPPORTED_API_VERSIONS, startGitHubStandIn } from './server.ts';
