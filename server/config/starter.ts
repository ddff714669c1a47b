// The commented starter config that `vigil init` writes. It must always validate (a test checks).

export const STARTER_CONFIG = `# Vigil configuration. Every field except \`teams\` has a default; the values shown are the defaults.
# Tokens are never stored here: set GITHUB_TOKEN and PAGERDUTY_TOKEN in the environment.
# Check this file with: npx vigil check-config

# The one DuckDB file holding everything Vigil collects and everything reviewers write.
# Relative paths are relative to this file.
database: ./data/vigil.duckdb

# Time zone for day, week, month and quarter buckets (IANA name).
timeZone: UTC

server:
  host: 127.0.0.1   # binding to anything else requires authentication (VIGIL_AUTH_TOKEN or VIGIL_USERS)
  port: 8787

github:
  baseUrl: https://api.github.com   # GitHub Enterprise Server: https://HOST/api/v3
  cron: "*/30 * * * *"              # when the scheduler syncs
  historyDays: 730                  # how far back the first sync reaches
  timeoutSeconds: 30

pagerduty:
  baseUrl: https://api.pagerduty.com   # EU accounts: https://api.eu.pagerduty.com
  cron: "*/15 * * * *"
  historyDays: 730
  timeoutSeconds: 30

# Teams own repositories, PagerDuty services and PagerDuty schedules.
# Anything not mapped to a team is reported under "unassigned", never dropped.
teams:
  - id: payments               # lower-case id used in URLs and exports
    name: Payments
    timeZone: Europe/Berlin    # the team's zone: its weekly review week starts on its Monday
    repos:
      - name: acme/payments-api
        productionPattern: "^(prod|production)$"   # environments that count as production (case-insensitive)
      - name: acme/payments-worker
        # Teams that deploy from GitHub Actions without the Deployments API:
        workflow: { file: deploy.yml, branch: main }
    services: [PABC123]        # PagerDuty service ids
    schedules: [PDEF456]       # PagerDuty schedule ids (on-call rotations)

severity:
  # PagerDuty priority names mapped to severities; incidents without a priority take
  # highUrgency / lowUrgency by their urgency.
  priorities: { P1: SEV1, P2: SEV2, P3: SEV3, P4: SEV4, P5: SEV4 }
  highUrgency: SEV2
  lowUrgency: SEV3
  targets: { SEV1: 1h, SEV2: 4h, SEV3: 24h, SEV4: null }   # time to resolve; null = no target

attribution:
  window: 24h   # an incident within this long after a deployment of its service's repos is attributed to it

impactStart:
  notePrefix: "impact-start:"   # a note "impact-start: 2024-05-01T10:00:00Z" sets the impact start
  customField: null

onCall:
  pagesPerWeekTarget: 5
  pageChannels: [sms, phone, push]   # add email to count e-mails as pages
  interruptionWindow: 5m
  escalationLevel: 1
  businessHours: { start: "08:00", end: "18:00", days: [1, 2, 3, 4, 5] }   # 1 = Monday
  sleepHours: { start: "22:00", end: "08:00" }
  badNightInterruptions: 3          # a night with this many sleep-hour interruptions or more is bad
  concentrationThreshold: 0.8       # flag a team where one or two people take this share of pages

noise:
  autoResolveWithin: 10m   # resolved by an integration, never acknowledged, within this: suggested noise
  flappingCount: 3         # a rule firing this often ...
  flappingWindow: 24h      # ... within this window, each resolving itself, is flapping

dora:
  thresholds: latest       # or a year: 2021, 2023, 2024
`;
