// What every number means, exactly: the metric catalogue from the API (the same definitions the
// metrics are computed by), with units and columns, and the full definitions document.
import { Page } from '../../components/layout.tsx';
import { useApp } from '../../models/app-model.ts';

const groups: { title: string; names: string[] }[] = [
  {
    title: 'Delivery (DORA)',
    names: [
      'deployment-frequency',
      'deploy-days',
      'lead-time',
      'change-failure-rate',
      'recovery-time',
      'rework-rate',
      'deploy-failure-rate',
      'dora-levels',
    ],
  },
  {
    title: 'Incidents',
    names: [
      'incidents',
      'mttd',
      'mtta',
      'mttr',
      'time-to-restore',
      'overdue-incidents',
      'detection-source',
      'alerts-per-incident',
    ],
  },
  {
    title: 'On-call health',
    names: [
      'pages',
      'interruptions',
      'pages-per-oncall-week',
      'off-hours-pages',
      'nights-interrupted',
      'bad-nights',
      'load-concentration',
      'alert-rules',
      'false-positive-ratio',
    ],
  },
];

export default function DefinitionsPage() {
  const { catalog, api } = useApp();
  const metrics = catalog.metrics.value;
  const placed = new Set(groups.flatMap((g) => g.names));
  const rest = metrics.filter((m) => !placed.has(m.name)).map((m) => m.name);
  const all = rest.length ? [...groups, { title: 'Other', names: rest }] : groups;
  return (
    <Page
      title="Definitions"
      subtitle={
        <>
          Exactly what each number counts, as the server computes it. Medians and 90th percentiles, never a bare mean; fewer than
          10 values is flagged as a small sample. The full document: <a href={api.paths.definitions}>METRICS.md</a>.
        </>
      }
    >
      {all.map((g) => (
        <section class="section" key={g.title}>
          <h2>{g.title}</h2>
          <div class="stack">
            {g.names
              .map((n) => metrics.find((m) => m.name === n))
              .filter((m) => m !== undefined)
              .map((m) => (
                <article class="card definition" id={m.name} key={m.name}>
                  <header class="card-header">
                    <h3>{m.title}</h3>
                    <span class="muted mono">{m.name}</span>
                  </header>
                  <p style={{ margin: 0 }}>{m.definition}</p>
                  <details>
                    <summary class="muted" style={{ cursor: 'pointer', fontSize: '0.85rem' }}>
                      Columns ({m.columns.length}) · unit {m.unit}
                    </summary>
                    <ul class="notes" style={{ marginTop: '6px' }}>
                      {m.columns.map((c) => (
                        <li key={c.name}>
                          <code>{c.name}</code>: {c.description}
                          {c.unit ? ` (${c.unit})` : ''}
                        </li>
                      ))}
                    </ul>
                  </details>
                </article>
              ))}
          </div>
        </section>
      ))}
    </Page>
  );
}
