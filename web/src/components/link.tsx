// In-app links: ordinary anchors (so they open in a new tab, copy and middle-click as links do);
// the app shell turns plain clicks on them into history navigation.
import type { ComponentChildren } from 'preact';
import type { Query } from '../api/client.ts';
import { queryString } from '../api/client.ts';
import type { DrillRef } from '../charts/spec.ts';

export function recordsHref(ref: DrillRef): string {
  return `/records/${ref.kind}${queryString({ ...ref.query, title: ref.label })}`;
}

export function hrefWith(path: string, query: Query): string {
  return `${path}${queryString(query)}`;
}

export function Link({
  href,
  children,
  class: className,
  title,
}: {
  href: string;
  children: ComponentChildren;
  class?: string;
  title?: string;
}) {
  return (
    <a href={href} class={className} title={title}>
      {children}
    </a>
  );
}
