// A DORA level as a badge: the word and a shape, with the colour as a third cue, never alone.
import type { Level } from '../api/types.ts';
import { levelStyles } from '../charts/theme.ts';

export function LevelBadge({ level, title }: { level: Level | null | undefined; title?: string }) {
  if (!level) {
    return (
      <span class="badge badge-none" title={title ?? 'Not enough data for a level'}>
        No level
      </span>
    );
  }
  const style = levelStyles[level];
  return (
    <span class={`badge badge-${level}`} title={title}>
      <span aria-hidden="true" class="badge-mark">
        {style.mark}
      </span>
      {style.label}
    </span>
  );
}

export function Badge({
  kind,
  children,
  title,
}: {
  kind: 'warn' | 'info' | 'muted' | 'ok' | 'bad';
  children: string;
  title?: string;
}) {
  return (
    <span class={`badge badge-${kind}`} title={title}>
      {children}
    </span>
  );
}
