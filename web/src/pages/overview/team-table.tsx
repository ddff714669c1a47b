// The team comparison: one row per team with each DORA metric's value and level, rework rate and
// the overall level, sortable, each team linking to its deployments.
import type { DoraSummary, DoraValue, Level } from '../../api/types.ts';
import { DataTable, type TableColumn } from '../../components/data-table.tsx';
import { LevelBadge } from '../../components/level-badge.tsx';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.ts';

type TeamRow = DoraSummary['teams'][number];

const levelRank: Record<Level, number> = { elite: 4, high: 3, medium: 2, low: 1 };
const rank = (v: DoraValue | { level: Level | null }) => (v.level ? levelRank[v.level] : 0);

function cell(text: string, v: DoraValue) {
  return (
    <span class="row spread" style={{ justifyContent: 'flex-end', flexWrap: 'nowrap' }}>
      <span>{v.n === 0 ? '–' : text}</span>
      <LevelBadge level={v.level} title={v.threshold ? `${v.threshold.published} (${v.threshold.rule})` : undefined} />
    </span>
  );
}

export function TeamTable({ summary, teamHref }: { summary: DoraSummary; teamHref: (team: string) => string }) {
  const columns: TableColumn<TeamRow>[] = [
    {
      key: 'team',
      label: 'Team',
      sort: (r) => r.name.toLowerCase(),
      render: (r) => (
        <a href={teamHref(r.team)} class="cell-title">
          {r.name}
        </a>
      ),
    },
    {
      key: 'df',
      label: 'Deploy days / week',
      numeric: true,
      sort: (r) => r.deploymentFrequency.value,
      render: (r) => cell(formatNumber(r.deploymentFrequency.value, 1), r.deploymentFrequency),
    },
    {
      key: 'lt',
      label: 'Lead time',
      numeric: true,
      sort: (r) => r.leadTime.value,
      render: (r) => cell(formatDuration(r.leadTime.value), r.leadTime),
    },
    {
      key: 'cfr',
      label: 'Change failure',
      numeric: true,
      sort: (r) => r.changeFailureRate.value,
      render: (r) => cell(formatPercent(r.changeFailureRate.value, 1), r.changeFailureRate),
    },
    {
      key: 'rt',
      label: 'Recovery time',
      numeric: true,
      sort: (r) => r.recoveryTime.value,
      render: (r) => cell(formatDuration(r.recoveryTime.value), r.recoveryTime),
    },
    {
      key: 'rw',
      label: 'Rework',
      numeric: true,
      sort: (r) => r.reworkRate.value,
      render: (r) => (r.reworkRate.n === 0 ? '–' : formatPercent(r.reworkRate.value, 1)),
    },
    {
      key: 'overall',
      label: 'Overall',
      sort: (r) => rank(r.overall),
      render: (r) => <LevelBadge level={r.overall.level} title={`The lowest of: ${r.overall.basis.join(', ')}`} />,
    },
  ];
  return (
    <DataTable
      columns={columns}
      rows={summary.teams}
      rowKey={(r) => r.team}
      initialSort={{ key: 'overall', dir: 'desc' }}
      caption="DORA metrics per team"
      testId="team-table"
      empty="No team is configured."
    />
  );
}
