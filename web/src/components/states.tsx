// The loading, error and empty states every card and page shows: loading says so (and keeps the
// card's size), an error says what went wrong and what to do with a Retry, an empty state says
// why there is nothing and what to check.
import type { ComponentChildren } from 'preact';
import type { ApiFailure } from '../api/client.ts';

export function Loading({ height = 200, label = 'Loading…' }: { height?: number; label?: string }) {
  return (
    <div class="state state-loading" style={{ minHeight: `${height}px` }} aria-busy="true" role="status">
      <div class="skeleton" />
      <span class="muted">{label}</span>
    </div>
  );
}

const filterParameters = ['team', 'service', 'repo', 'severity', 'from', 'to', 'grain'];

/** A 400 about one of the page's filters: the fix is in the filter bar, not a retry. */
export function isFilterProblem(error: ApiFailure): boolean {
  return error.status === 400 && filterParameters.includes(String(error.details.parameter ?? ''));
}

export function ErrorState({
  error,
  onRetry,
  onClearFilters,
  height,
}: {
  error: ApiFailure;
  onRetry?: () => void;
  /** Offered instead of Retry when a filter value is the problem. */
  onClearFilters?: () => void;
  height?: number;
}) {
  const filter = isFilterProblem(error) && onClearFilters;
  return (
    <div class="state state-error" role="alert" style={height ? { minHeight: `${height}px` } : undefined}>
      <p class="state-title">
        <span aria-hidden="true">⚠</span> {error.message}
      </p>
      {filter ? (
        <p class="hint">
          The link holds a filter value this Vigil does not know. Pick another in the filters above, or clear them.
        </p>
      ) : error.hint ? (
        <p class="hint">{error.hint}</p>
      ) : null}
      {filter ? (
        <button type="button" class="button" onClick={onClearFilters}>
          Clear filters
        </button>
      ) : onRetry ? (
        <button type="button" class="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children, height }: { title: string; children?: ComponentChildren; height?: number }) {
  return (
    <div class="state state-empty" style={height ? { minHeight: `${height}px` } : undefined}>
      <p class="state-title">{title}</p>
      {children ? <div class="hint">{children}</div> : null}
    </div>
  );
}
