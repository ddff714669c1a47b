// Every page of the app: its path pattern, title, navigation entry and a loader, so each page is
// its own chunk fetched when first opened. To add a page (the weekly review does), add one entry.
import type { ComponentType } from 'preact';
import type { AppModel } from './models/app-model.ts';

export interface PageProps {
  /** Path parameters (`:id`), decoded. */
  params: Record<string, string>;
}

export interface PageModule {
  default: ComponentType<PageProps>;
  prefetch?: (app: AppModel, params: Record<string, string>) => void;
}

export interface RouteDef {
  path: string;
  title: string;
  /** Shown in the sidebar, in this order. */
  nav?: { label: string; icon: string };
  /** The sidebar entry highlighted while on this page (detail pages). */
  section?: string;
  /** The page draws charts: the entry starts loading ECharts with the page (see charts/load.ts). */
  charts?: boolean;
  /**
   * The page's module: the component, and optionally `prefetch`, which asks for the page's first
   * answers once the settings are known (before the rest of the catalogue; see main.tsx).
   */
  load: () => Promise<PageModule>;
}

export const routes: RouteDef[] = [
  {
    path: '/',
    title: 'Overview',
    charts: true,
    nav: { label: 'Overview', icon: '◎' },
    load: () => import('./pages/overview/overview-page.tsx'),
  },
  {
    path: '/deployments',
    title: 'Deployments',
    charts: true,
    nav: { label: 'Deployments', icon: '⇡' },
    load: () => import('./pages/deployments/deployments-page.tsx'),
  },
  {
    path: '/deployments/:id',
    title: 'Deployment',
    section: '/deployments',
    load: () => import('./pages/deployments/deployment-page.tsx'),
  },
  {
    path: '/incidents',
    title: 'Incidents',
    charts: true,
    nav: { label: 'Incidents', icon: '◭' },
    load: () => import('./pages/incidents/incidents-page.tsx'),
  },
  {
    path: '/incidents/:id',
    title: 'Incident',
    section: '/incidents',
    load: () => import('./pages/incidents/incident-page.tsx'),
  },
  {
    path: '/on-call',
    title: 'On-call health',
    charts: true,
    nav: { label: 'On-call health', icon: '☾' },
    load: () => import('./pages/oncall/oncall-page.tsx'),
  },
  {
    path: '/review',
    title: 'Weekly review',
    charts: true,
    nav: { label: 'Weekly review', icon: '✓' },
    load: () => import('./pages/review/review-page.tsx'),
  },
  {
    path: '/records/:kind',
    title: 'Records',
    load: () => import('./pages/records/records-page.tsx'),
  },
  {
    path: '/definitions',
    title: 'Definitions',
    nav: { label: 'Definitions', icon: '§' },
    load: () => import('./pages/definitions/definitions-page.tsx'),
  },
  {
    path: '/sync',
    title: 'Sync & health',
    nav: { label: 'Sync & health', icon: '⟳' },
    load: () => import('./pages/sync/sync-page.tsx'),
  },
  { path: '/health', title: 'Sync & health', section: '/sync', load: () => import('./pages/sync/sync-page.tsx') },
];

/** The route a path matches, with its decoded parameters. */
export function matchRoute(
  path: string,
  table: readonly RouteDef[] = routes,
): { route: RouteDef; params: Record<string, string> } | null {
  const parts = path.replace(/\/+$/, '').split('/').filter(Boolean);
  for (const route of table) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i] as string;
      const v = parts[i] as string;
      if (p.startsWith(':')) {
        try {
          params[p.slice(1)] = decodeURIComponent(v);
        } catch {
          ok = false;
        }
      } else if (p !== v) ok = false;
      if (!ok) break;
    }
    if (ok) return { route, params };
  }
  return null;
}
