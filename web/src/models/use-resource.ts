// The hook pages use to read an API answer: the cached resource for a URL, re-read when the data
// model is invalidated. Reading the signal's value subscribes the component to it.
import { useMemo } from 'preact/hooks';
import { useApp } from './app-model.ts';
import type { Resource } from './data.ts';

export function useResource<T>(url: string | null): Resource<T> | null {
  const { data } = useApp();
  const generation = data.generation.value;
  // generation forces a new resource after invalidation.
  const state = useMemo(() => (url ? data.resource<T>(url) : null), [url, generation, data]);
  return state ? state.value : null;
}
