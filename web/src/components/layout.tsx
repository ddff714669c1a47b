// Page structure shared by every page: a header (title, one-line purpose, actions), sections, a
// responsive grid of cards, and the card itself (title, one-line explanation, a link to the
// metric's definition, actions, body). Large type scales all of it through CSS variables.
import type { ComponentChildren } from 'preact';

export function Page({
  title,
  subtitle,
  actions,
  children,
}: {
  title: string;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <div class="page">
      <header class="page-header">
        <div>
          <h1>{title}</h1>
          {subtitle ? <p class="page-subtitle">{subtitle}</p> : null}
        </div>
        {actions ? <div class="page-actions">{actions}</div> : null}
      </header>
      {children}
    </div>
  );
}

export function Section({
  title,
  description,
  actions,
  children,
  id,
}: {
  title: string;
  description?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="section" id={id} aria-label={title}>
      <div class="section-header">
        <div>
          <h2>{title}</h2>
          {description ? <p class="section-description">{description}</p> : null}
        </div>
        {actions ? <div class="section-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

export function Grid({ children, min = 26 }: { children: ComponentChildren; min?: number }) {
  return (
    <div class="grid" style={{ '--grid-min': `${min}rem` }}>
      {children}
    </div>
  );
}

export interface CardProps {
  title: string;
  explanation?: ComponentChildren;
  /** Metric name: links "Definition" to the definitions page. */
  definition?: string;
  actions?: ComponentChildren;
  badges?: ComponentChildren;
  /** Take the whole row of the grid. */
  wide?: boolean;
  id?: string;
  children: ComponentChildren;
}

export function Card({ title, explanation, definition, actions, badges, wide, id, children }: CardProps) {
  return (
    <article class={`card${wide ? ' card-wide' : ''}`} id={id} data-card={id}>
      <header class="card-header">
        <div class="card-heading">
          <h3>{title}</h3>
          {badges ? <div class="card-badges">{badges}</div> : null}
        </div>
        {actions ? <div class="card-actions">{actions}</div> : null}
      </header>
      {explanation || definition ? (
        <p class="card-explanation">
          {explanation}
          {definition ? (
            <>
              {' '}
              <a class="definition-link" href={`/definitions#${definition}`}>
                Definition
              </a>
            </>
          ) : null}
        </p>
      ) : null}
      <div class="card-body">{children}</div>
    </article>
  );
}

/** A key figure: label, value with unit, and a line of context. */
export function Figure({
  label,
  value,
  unit,
  context,
  tone,
  compact,
  href,
}: {
  label: string;
  value: ComponentChildren;
  unit?: string;
  context?: ComponentChildren;
  tone?: 'bad' | 'good';
  /** A long value (a date): a smaller figure. */
  compact?: boolean;
  /** The records behind the number. */
  href?: string;
}) {
  return (
    <div class={`figure${tone ? ` figure-${tone}` : ''}${compact ? ' figure-compact' : ''}`}>
      <div class="figure-label">{label}</div>
      <div class="figure-value">
        {href ? (
          <a href={href} class="figure-link" title="The records behind this number">
            {value}
          </a>
        ) : (
          value
        )}
        {unit ? <span class="figure-unit"> {unit}</span> : null}
      </div>
      {context ? <div class="figure-context">{context}</div> : null}
    </div>
  );
}

export function Figures({ children }: { children: ComponentChildren }) {
  return <div class="figures">{children}</div>;
}
