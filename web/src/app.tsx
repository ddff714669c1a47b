// The application shell: the sidebar (pages, large type, data freshness), the page for the
// current URL (each page loaded on first visit), and in-app navigation for plain clicks on links.
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api/client.ts';
import type { Health } from './api/types.ts';
import { ErrorState, Loading } from './components/states.tsx';
import { formatAgo } from './lib/format.ts';
import { useApp } from './models/app-model.ts';
import { useResource } from './models/use-resource.ts';
import { matchRoute, type PageProps, type RouteDef, routes } from './routes.ts';

function isPlainClick(event: MouseEvent): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey && !event.defaultPrevented;
}

function Freshness() {
  const { api } = useApp();
  const health = useResource<Health>(api.paths.health);
  const runs = health?.data ? Object.values(health.data.lastSync).filter((r) => r !== null) : [];
  const latest = runs
    .map((r) => r?.endedAt ?? r?.startedAt ?? '')
    .sort()
    .at(-1);
  const failed = runs.some((r) => r?.status === 'failed');
  return (
    <a href="/sync" class={`freshness${failed ? ' freshness-bad' : ''}`} title="Sync status">
      <span class="freshness-dot" aria-hidden="true" />
      {health?.data ? (runs.length === 0 ? 'No sync yet' : `Synced ${formatAgo(latest)}`) : 'Checking…'}
      {failed ? ' · a sync failed' : ''}
    </a>
  );
}

function NotFound() {
  return (
    <div class="page">
      <header class="page-header">
        <div>
          <h1>Nothing here</h1>
          <p class="page-subtitle">
            No page at this address. <a href="/">Go to the overview</a>.
          </p>
        </div>
      </header>
    </div>
  );
}

export function App() {
  const app = useApp();
  const { router, prefs, catalog } = app;
  const location = router.location.value;
  const match = matchRoute(location.path);
  const modules = useRef(new Map<RouteDef, ComponentType<PageProps>>());
  const [, setLoaded] = useState(0);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (!isPlainClick(event)) return;
      const anchor = (event.target as Element | null)?.closest?.('a');
      if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
      const href = anchor.getAttribute('href');
      if (!href?.startsWith('/') || href.startsWith('/api/') || href.startsWith('//')) return;
      event.preventDefault();
      router.navigate(href);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, [router, location.path]);

  useEffect(() => {
    document.documentElement.classList.toggle('large-type', prefs.largeType.value);
  }, [prefs.largeType.value]);

  useEffect(() => {
    document.title = match ? `${match.route.title} · Vigil` : 'Vigil';
    if (!match || modules.current.has(match.route)) return;
    setLoadError(null);
    match.route
      .load()
      .then((m) => {
        modules.current.set(match.route, m.default);
        setLoaded((n) => n + 1);
      })
      .catch(() => setLoadError('This page did not load. Reload to fetch the current version of Vigil.'));
  }, [match?.route]);

  const Page = match ? modules.current.get(match.route) : undefined;
  // An anchor (/definitions#lead-time) scrolls into view once its page has rendered.
  useEffect(() => {
    if (!location.hash) return;
    const id = decodeURIComponent(location.hash.slice(1));
    requestAnimationFrame(() => document.getElementById(id)?.scrollIntoView({ block: 'start' }));
  }, [location.hash, location.path, Page]);

  const active = match?.route.section ?? match?.route.path;
  let content = <NotFound />;
  if (catalog.status.value === 'loading') content = <Loading height={400} label="Connecting to Vigil…" />;
  else if (catalog.status.value === 'error') {
    content = (
      <div class="page">
        <ErrorState
          error={new ApiFailure(0, 'unavailable', 'Vigil did not answer.', catalog.error.value ?? undefined)}
          onRetry={() => void catalog.load()}
        />
      </div>
    );
  } else if (match && loadError)
    content = (
      <div class="page">
        <p class="state state-error">{loadError}</p>
      </div>
    );
  else if (match && Page) content = <Page params={match.params} />;
  else if (match) content = <Loading height={400} />;

  return (
    <div class="shell">
      <aside class="sidebar">
        <a href="/" class="brand" aria-label="Vigil overview">
          <span class="brand-mark" aria-hidden="true">
            ◉
          </span>
          Vigil
        </a>
        <nav aria-label="Pages">
          {routes
            .filter((r) => r.nav)
            .map((r) => (
              <a
                key={r.path}
                href={r.path}
                class={active === r.path ? 'active' : ''}
                aria-current={active === r.path ? 'page' : undefined}
              >
                <span class="nav-icon" aria-hidden="true">
                  {r.nav?.icon}
                </span>
                <span class="nav-label">{r.nav?.label}</span>
              </a>
            ))}
        </nav>
        <div class="sidebar-foot">
          <Freshness />
          <label class="toggle">
            <input type="checkbox" checked={prefs.largeType.value} onChange={() => prefs.toggleLargeType()} />
            <span>Large type</span>
          </label>
        </div>
      </aside>
      <main id="main">{content}</main>
    </div>
  );
}
