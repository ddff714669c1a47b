// The PagerDuty REST API v2 stand-in: start it on a free loopback port over a simulated organisation.
export type { FaultRuleInput } from '../common/faults.ts';
export { type PagerDutyStandIn, type PagerDutyStandInOptions, startPagerDutyStandIn } from './server.ts';
