// The application shell: navigation for every page and the health page.
import { useEffect, useState } from 'preact/hooks';

interface Health {
  status: string;
  version: string;
  schemaVersion: number;
  dataVersion: number;
  lastSync: Record<string, { status: string; startedAt: string; endedAt: string | null; error: string | null } | null>;
}

const pages = [
  { path: '/', label: 'Overview' },
  { path: '/deployments', label: 'Deployments' },
  { path: '/incidents', label: 'Incidents' },
  { path: '/on-call', label: 'On-call health' },
  { path: '/review', label: 'Weekly review' },
  { path: '/health', label: 'Health' },
];

function HealthPage() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/api/health')
      .then(async (r) => {
        if (!r.ok) throw new Error(`The server answered ${r.status}.`);
        setHealth((await r.json()) as Health);
      })
      .catch((e: Error) => setError(`${e.message} Is \`vigil serve\` running?`));
  }, []);
  if (error) return <p class="error">{error}</p>;
  if (!health) return <p class="loading">Loading…</p>;
  return (
    <section>
      <h1>Health</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>{health.status}</dd>
        <dt>Version</dt>
        <dd>{health.version}</dd>
        <dt>Schema</dt>
        <dd>{health.schemaVersion}</dd>
        {Object.entries(health.lastSync).map(([source, run]) => (
          <>
            <dt>Last {source} sync</dt>
            <dd>{run ? `${run.status}, started ${run.startedAt}${run.error ? `: ${run.error}` : ''}` : 'never'}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

export function App() {
  const path = location.pathname;
  return (
    <div class="shell">
      <nav>
        <strong class="brand">Vigil</strong>
        {pages.map((p) => (
          <a href={p.path} class={p.path === path ? 'active' : ''}>
            {p.label}
          </a>
        ))}
      </nav>
      <main>{path === '/health' ? <HealthPage /> : <p>This page arrives with its issue.</p>}</main>
    </div>
  );
}
