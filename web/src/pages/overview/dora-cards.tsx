// One card per DORA metric (and rework rate): the value with its unit, the level as a badge with
// the threshold that decided it, the four published bands with the current one marked, how many
// records it rests on, a one-line explanation and the link to the definition.
import type { Query } from '../../api/client.ts';
import type { DoraGroup, DoraMetric, DoraSummary, Level } from '../../api/types.ts';
import { levelStyles } from '../../charts/theme.ts';
import { Badge, LevelBadge } from '../../components/level-badge.tsx';
import { hrefWith } from '../../components/link.tsx';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.ts';

export interface DoraMetricInfo {
  key: DoraMetric | 'reworkRate';
  title: string;
  metric: string;
  explanation: string;
  /** The value as shown, and its unit. */
  show: (g: Omit<DoraGroup, 'group'>) => { value: string; unit: string; context: string };
  /** The records the number counts. */
  records: { path: string; query: Record<string, string>; title: string };
}

export const doraInfo: readonly DoraMetricInfo[] = [
  {
    key: 'deploymentFrequency',
    title: 'Deployment frequency',
    metric: 'deployment-frequency',
    records: { path: '/records/deployments', query: { outcome: 'success' }, title: 'Successful production deployments' },
    explanation: 'How often the team ships to production: the level uses the median number of days a week with a deployment.',
    show: (g) => {
      const d = g.deploymentFrequency;
      const perWeek = d.detail?.perWeek ?? null;
      return {
        value: formatNumber(d.value, 1),
        unit: 'deploy days / week',
        context: `${formatNumber(d.n)} deployments${perWeek !== null ? ` · median ${formatNumber(perWeek, 1)} per week` : ''}`,
      };
    },
  },
  {
    key: 'leadTime',
    title: 'Lead time for changes',
    metric: 'lead-time',
    records: { path: '/records/deployments', query: { outcome: 'success' }, title: 'Deployments and the changes they shipped' },
    explanation: 'From a change’s first commit to running in production: the median over changes shipped in the range.',
    show: (g) => ({ value: formatDuration(g.leadTime.value), unit: 'median', context: `${formatNumber(g.leadTime.n)} changes` }),
  },
  {
    key: 'changeFailureRate',
    title: 'Change failure rate',
    metric: 'change-failure-rate',
    records: { path: '/records/deployments', query: { changeFailed: 'true' }, title: 'Failed deployments' },
    explanation: 'Share of production deployments that caused an incident or were rolled back.',
    show: (g) => ({
      value: formatPercent(g.changeFailureRate.value, 1),
      unit: 'of deployments',
      context: `${formatNumber(g.changeFailureRate.detail?.failed ?? null)} of ${formatNumber(g.changeFailureRate.n)} failed`,
    }),
  },
  {
    key: 'recoveryTime',
    title: 'Failed deployment recovery time',
    metric: 'recovery-time',
    records: { path: '/records/incidents', query: { cause: 'change_caused' }, title: 'Change-caused incidents' },
    explanation: 'From a failed deployment to the resolution of the incident it caused: the median.',
    show: (g) => ({
      value: formatDuration(g.recoveryTime.value),
      unit: 'median',
      context: `${formatNumber(g.recoveryTime.n)} change-caused incidents`,
    }),
  },
  {
    key: 'reworkRate',
    title: 'Deployment rework rate',
    metric: 'rework-rate',
    records: { path: '/records/deployments', query: { outcome: 'success' }, title: 'Successful production deployments' },
    explanation: 'Share of deployments made while a change-caused incident was open: unplanned fixes (DORA 2024).',
    show: (g) => ({
      value: formatPercent(g.reworkRate.value, 1),
      unit: 'of deployments',
      context: `${formatNumber(g.reworkRate.n)} deployments`,
    }),
  },
];

function Bands({ summary, metric, level }: { summary: DoraSummary; metric: DoraMetric; level: Level | null }) {
  const bands = summary.thresholds.bands[metric] as { level: Level; published: string }[];
  return (
    <div class="bands" title="Published levels">
      {bands.map((b) => (
        <span
          key={b.level}
          class={`band${b.level === level ? ' band-on' : ''}`}
          style={{ '--band-color': levelStyles[b.level].color }}
          title={`${levelStyles[b.level].label}: ${b.published}`}
        >
          {b.level === 'medium' ? 'Med.' : levelStyles[b.level].label}
        </span>
      ))}
    </div>
  );
}

export function DoraMetricCard({
  info,
  group,
  summary,
  base,
}: {
  info: DoraMetricInfo;
  group: Omit<DoraGroup, 'group'>;
  summary: DoraSummary;
  /** The page's filters, for the link to the records. */
  base: Query;
}) {
  const shown = info.show(group);
  const value = info.key === 'reworkRate' ? null : group[info.key];
  const n = info.key === 'reworkRate' ? group.reworkRate.n : group[info.key].n;
  const small = n > 0 && n < 10;
  return (
    <article class="card metric-card" data-metric={info.metric}>
      <header class="card-header">
        <h3>{info.title}</h3>
        {value ? (
          <LevelBadge
            level={value.level}
            title={value.threshold ? `${value.threshold.published} (${value.threshold.rule})` : undefined}
          />
        ) : (
          <Badge kind="muted" title={group.reworkRate.note}>
            No bands
          </Badge>
        )}
      </header>
      <div class="metric-value">
        <span class="metric-number">{n === 0 ? '–' : shown.value}</span>
        <span class="metric-unit">{shown.unit}</span>
        {small ? (
          <Badge kind="warn" title="Fewer than 10 records: a level on this little data is mostly noise.">
            Small sample
          </Badge>
        ) : null}
      </div>
      <div class="metric-threshold">
        {n === 0 ? (
          'No data in this range.'
        ) : (
          <a
            href={hrefWith(info.records.path, { ...base, ...info.records.query, title: info.records.title })}
            title="The records behind this number"
          >
            {shown.context}
          </a>
        )}
      </div>
      {value ? (
        <>
          <Bands summary={summary} metric={info.key as DoraMetric} level={value.level} />
          <div class="metric-threshold">
            {value.threshold ? (
              <>
                {levelStyles[value.level as Level]?.label}: {value.threshold.published}{' '}
                <span class="mono">({value.threshold.rule})</span>
              </>
            ) : (
              'No level: not enough data.'
            )}
          </div>
        </>
      ) : (
        <div class="metric-threshold">{group.reworkRate.note}</div>
      )}
      <p class="card-explanation">
        {info.explanation}{' '}
        <a class="definition-link" href={`/definitions#${info.metric}`}>
          Definition
        </a>
      </p>
    </article>
  );
}
