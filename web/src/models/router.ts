// Where the app is: the path and the query string as a signal, moved by navigate() and by the
// browser's back and forward buttons. The URL is the only place page state lives (filters, tabs,
// the metric shown), so a copied link reproduces the view and history works.
import { computed, type Signal, signal } from '@preact/signals';

export interface AppLocation {
  path: string;
  search: string;
  /** '#anchor' or ''. */
  hash: string;
}

type HistoryWindow = Pick<Window, 'location' | 'history' | 'addEventListener' | 'removeEventListener' | 'scrollTo'>;

export type ParamPatch = Record<string, string | readonly string[] | null | undefined>;

/** Apply a patch to query parameters: null/undefined/'' removes, a list repeats the key. */
export function patchParams(search: string, patch: ParamPatch): URLSearchParams {
  const params = new URLSearchParams(search);
  for (const [key, value] of Object.entries(patch)) {
    params.delete(key);
    if (value === null || value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.set(key, value as string);
  }
  return params;
}

export class RouterModel {
  readonly location: Signal<AppLocation>;
  readonly params = computed(() => new URLSearchParams(this.location.value.search));
  private readonly onPop = () => {
    this.location.value = this.read();
  };

  constructor(private readonly win: HistoryWindow) {
    this.location = signal(this.read());
    win.addEventListener('popstate', this.onPop);
  }

  private read(): AppLocation {
    return { path: this.win.location.pathname, search: this.win.location.search, hash: this.win.location.hash };
  }

  /** Go to an in-app URL (path and query); pushes a history entry unless `replace`. */
  navigate(href: string, options: { replace?: boolean } = {}): void {
    const url = new URL(href, this.win.location.href);
    const next = `${url.pathname}${url.search}${url.hash}`;
    const current = `${this.win.location.pathname}${this.win.location.search}${this.win.location.hash}`;
    if (next === current) return;
    const samePage = url.pathname === this.win.location.pathname;
    if (options.replace) this.win.history.replaceState(null, '', next);
    else this.win.history.pushState(null, '', next);
    this.location.value = { path: url.pathname, search: url.search, hash: url.hash };
    if (!samePage && !url.hash) this.win.scrollTo(0, 0);
  }

  /** Change some query parameters of the current page. */
  setParams(patch: ParamPatch, options: { replace?: boolean } = {}): void {
    const params = patchParams(this.location.value.search, patch);
    const text = params.toString();
    this.navigate(`${this.location.value.path}${text ? `?${text}` : ''}`, options);
  }

  dispose(): void {
    this.win.removeEventListener('popstate', this.onPop);
  }
}
