// The words of incidents and alerts: titles with the variable parts real monitors put in them
// (hosts, IPs, numbers, hex ids, UUIDs, pod names), descriptions that sometimes name the guilty
// commit or deployment, and notes. Everything is derived from the incident's seed.
import type { IncidentCore } from './incident-plan.ts';
import {
  ALERT_TEMPLATES,
  CAUSED_TEMPLATES,
  FLAPPING_TEMPLATES,
  HOST_ROLES,
  NOTES,
  PATHS,
  REGIONS,
  USER_REPORT_TITLES,
} from './names.ts';
import { Rng } from './prng.ts';
import type { StaticOrg } from './static-org.ts';
import { iso } from './time.ts';

export interface CauseFacts {
  sha: string;
  deploymentId: number;
  repo: string;
}

function hex(rng: Rng, n: number): string {
  return rng.hex(n);
}

function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function serviceSlug(org: StaticOrg, service: number): string {
  return (org.services[service]?.name ?? 'service').toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Fill a template's placeholders with fresh variable parts. */
export function fill(template: string, rng: Rng, org: StaticOrg, service: number, hosts?: string[]): string {
  const svc = serviceSlug(org, service);
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    switch (name) {
      case 'host':
        return hosts
          ? (hosts[rng.int(hosts.length)] as string)
          : `${rng.pick(HOST_ROLES)}-${String(rng.int(120) + 1).padStart(3, '0')}.prod.acme.net`;
      case 'ip':
        return `10.${rng.int(32)}.${rng.int(256)}.${1 + rng.int(254)}`;
      case 'n':
        return String(2 + rng.int(5000));
      case 'nn':
        return String(rng.int(64)).padStart(2, '0');
      case 'pct':
        return (80 + rng.next() * 19.9).toFixed(1);
      case 'ms':
        return String(800 + rng.int(4200));
      case 'hex':
        return hex(rng, 8 + rng.int(5));
      case 'uuid':
        return uuid(rng);
      case 'pod':
        return `${svc}-${hex(rng, 9)}-${rng.hex(5)}`;
      case 'path':
        return rng.pick(PATHS);
      case 'region':
        return rng.pick(REGIONS);
      case 'service':
        return org.services[service]?.name ?? 'service';
      default:
        return name;
    }
  });
}

/** The template an incident's alerts share (so its alert rule signature is stable). */
export function templateOf(org: StaticOrg, core: IncidentCore): string {
  const rng = new Rng(org.seed, 'template', core.text);
  if (core.kind === 'flapping') return org.flapping[core.flap]?.template ?? (FLAPPING_TEMPLATES[0] as string);
  if (core.userReported) return rng.pick(USER_REPORT_TITLES);
  if (core.kind === 'caused') return rng.pick(CAUSED_TEMPLATES);
  return rng.pick(ALERT_TEMPLATES);
}

export function incidentTitle(org: StaticOrg, core: IncidentCore, cause: CauseFacts | null): string {
  const rng = new Rng(org.seed, 'title', core.index, core.text);
  if (core.evidence === 'sha-in-title' && cause) {
    return `Errors after deploy ${cause.sha.slice(0, core.shaLength)} of ${cause.repo.split('/')[1]}: ${fill('{pct}% 5xx', rng, org, core.service)}`;
  }
  const hosts = core.kind === 'flapping' ? org.flapping[core.flap]?.hosts : undefined;
  return fill(templateOf(org, core), rng, org, core.service, hosts);
}

export function alertSummary(org: StaticOrg, core: IncidentCore, k: number, title: string): string {
  if (k === 0) return title;
  const rng = new Rng(org.seed, 'alert-title', core.index, k);
  const hosts = core.kind === 'flapping' ? org.flapping[core.flap]?.hosts : undefined;
  return fill(templateOf(org, core), rng, org, core.service, hosts);
}

export function incidentDescription(
  org: StaticOrg,
  core: IncidentCore,
  title: string,
  cause: CauseFacts | null,
  reporterName: string | null,
): string {
  if (core.evidence === 'sha-in-description' && cause) {
    return `${title}\n\nError rate rose minutes after ${cause.sha.slice(0, core.shaLength)} reached production. Suspect that change.`;
  }
  if (core.evidence === 'deployment-id' && cause) {
    return `${title}\n\nStarted right after deployment ${cause.deploymentId} of ${cause.repo}.`;
  }
  if (core.userReported) return `${title}\n\nReported by ${reporterName ?? 'a colleague'} from the support channel.`;
  const service = org.services[core.service]?.name ?? 'service';
  return `${title}\n\nAlert from ${service} monitoring. Runbook: https://runbooks.acme.example/${serviceSlug(org, core.service)}`;
}

export function noteText(core: IncidentCore, kind: string, value: number, cause: CauseFacts | null): string {
  switch (kind) {
    case 'impact-start':
      return `impact-start: ${iso(value)}`;
    case 'evidence':
      return cause
        ? `Root cause: commit ${cause.sha.slice(0, core.shaLength)} in ${cause.repo}. Fix in progress.`
        : 'Root cause found.';
    case 'rollback':
      return cause ? `Rolled back ${cause.repo} to the previous release.` : 'Rolled back.';
    default:
      return NOTES[value % NOTES.length] as string;
  }
}
