// The week's pages grouped by alert rule, noisiest first: each rule a row the keyboard moves to
// (count, times with sleep hours marked, responders, the suggestion and why, the label in force,
// its follow-ups), opening to its incidents (linked to PagerDuty, each with its own suggestion,
// label and note). Clicks do what the keys do, for a mouse.
import type { ComponentChildren } from 'preact';
import { formatAgo, formatDateTime, formatNumber, plural } from '../../lib/format.ts';
import { FollowUps } from './follow-ups.tsx';
import { LabelMark, PageTimes, StateMark, SuggestedMark } from './marks.tsx';
import { incidentKey, type ReviewModel, ruleKey } from './review-model.ts';
import { type ReviewIncident, type ReviewRule, reasonTitles } from './types.ts';

function Key({ children }: { children: ComponentChildren }) {
  return <kbd>{children}</kbd>;
}

function ruleDetail(model: ReviewModel, rule: ReviewRule): string | undefined {
  const reasons = new Set(rule.incidents.map((i) => model.shown(i)?.reason ?? null));
  const only = reasons.size === 1 ? [...reasons][0] : null;
  return only ? reasonTitles[only] : undefined;
}

function IncidentRow({ model, incident, zone }: { model: ReviewModel; incident: ReviewIncident; zone: string }) {
  const key = incidentKey(incident);
  const current = model.current.value?.key === key;
  const selected = model.selected.value.has(key);
  const shown = model.shown(incident);
  const stored = model.stored(incident);
  return (
    <li
      class="rv-incident"
      data-row-key={key}
      data-incident={incident.id}
      aria-current={current ? 'true' : undefined}
      data-selected={selected ? 'true' : 'false'}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a,button,input')) return;
        if (e.shiftKey) {
          model.moveTo(key);
          model.selectRange();
        } else model.moveTo(key);
      }}
    >
      <div>
        <div>
          <input
            type="checkbox"
            checked={selected}
            onClick={() => model.toggleSelect(key)}
            aria-label={`Select incident ${incident.number ?? incident.id}`}
          />{' '}
          {incident.url ? (
            <a href={incident.url} target="_blank" rel="noopener noreferrer" title="Open in PagerDuty">
              #{incident.number ?? incident.id} {incident.title}
            </a>
          ) : (
            <span>
              #{incident.number ?? incident.id} {incident.title}
            </span>
          )}
        </div>
        <div class="rv-meta muted">
          <span>{formatDateTime(incident.createdAt, zone)}</span>
          <span>{incident.severity ?? '–'}</span>
          <span>
            {incident.ackMinutes === null ? 'never acknowledged' : `acknowledged in ${formatNumber(incident.ackMinutes)} min`}
          </span>
          <span>
            {incident.resolveMinutes === null ? incident.status : `resolved in ${formatNumber(incident.resolveMinutes)} min`}
          </span>
          <span>{plural(incident.pages.length, 'page')}</span>
        </div>
        <PageTimes pages={incident.pages} />
        <div class="rv-why">
          Suggested {incident.suggested === 'actionable' ? 'actionable' : 'non-actionable'}: {incident.why}
        </div>
        {shown?.note ? <div class="rv-note">{shown.note}</div> : null}
      </div>
      <div class="rv-side">
        <LabelMark shown={shown} pending={model.isPending(incident)} />
        {stored ? (
          <span class="muted" style={{ fontSize: '0.78rem' }} title={stored.labelledAt}>
            by {stored.labelledBy}, {formatAgo(stored.labelledAt)}
          </span>
        ) : null}
      </div>
    </li>
  );
}

/** "3 of 4 incidents" when the incidents of a rule are suggested differently (or there are several). */
export function suggestionCount(rule: ReviewRule): string | undefined {
  const n = rule.incidents.length;
  const non = rule.suggestedNonActionable;
  if (n <= 1 || non === 0 || non === n) return n > 1 ? `all ${n} incidents` : undefined;
  return `${non} of ${n} incidents look like noise`;
}

export interface RuleListProps {
  model: ReviewModel;
  addingFollowUp: string | null;
  onAddFollowUp: (signature: string | null) => void;
}

function RuleRow({ model, rule, rank, addingFollowUp, onAddFollowUp }: RuleListProps & { rule: ReviewRule; rank: number }) {
  const view = model.view.value;
  const key = ruleKey(rule);
  const current = model.current.value?.key === key;
  const selected = model.selected.value.has(key);
  const open = model.open.value.has(rule.signature);
  const state = model.ruleState(rule);
  const pages = rule.incidents.flatMap((i) => i.pages);
  const pending = rule.incidents.some((i) => model.isPending(i));
  const act = (fn: () => void) => (e: Event) => {
    e.stopPropagation();
    model.moveTo(key);
    fn();
  };
  return (
    <li class="rv-rule" data-rule={rule.signature} data-state={state}>
      <div
        class="rv-row"
        data-row-key={key}
        aria-current={current ? 'true' : undefined}
        data-selected={selected ? 'true' : 'false'}
        onClick={(e) => {
          if ((e.target as HTMLElement).closest('a,button,input')) return;
          model.moveTo(key);
          if (e.shiftKey) model.selectRange();
        }}
      >
        <div>
          <div class="rv-rank">{rank}</div>
          <input
            class="rv-check"
            type="checkbox"
            checked={selected}
            onClick={() => model.toggleSelect(key)}
            aria-label={`Select rule ${rule.title}`}
          />
        </div>
        <div>
          <div class="rv-title">{rule.title}</div>
          <div class="rv-example">
            Latest: {rule.example} ·{' '}
            {rule.serviceUrl ? (
              <a href={rule.serviceUrl} target="_blank" rel="noopener noreferrer">
                {rule.serviceName}
              </a>
            ) : (
              rule.serviceName
            )}
          </div>
          <div class="rv-meta">
            <span class="rv-count">
              <strong>{formatNumber(rule.pages)}</strong> {rule.pages === 1 ? 'page' : 'pages'}
            </span>
            <span class="rv-count">{plural(rule.incidents.length, 'incident')}</span>
            {rule.sleepPages > 0 ? <span class="rv-count">☾ {formatNumber(rule.sleepPages)} in sleep hours</span> : null}
            {rule.offHoursPages > 0 ? <span class="rv-count">{formatNumber(rule.offHoursPages)} off hours</span> : null}
            {rule.responders.length > 0 ? (
              <span class="muted">
                Paged: {rule.responders.map((r) => `${r.name}${r.pages > 1 ? ` ×${r.pages}` : ''}`).join(', ')}
              </span>
            ) : (
              <span class="muted">Paged nobody</span>
            )}
            {rule.seenBefore.length > 0 ? (
              <span class="badge badge-warn" title={`Weeks: ${rule.seenBefore.join(', ')}`}>
                Also paged in {rule.seenBefore.length} of the 8 weeks before
              </span>
            ) : null}
          </div>
          <PageTimes pages={pages} />
          {rule.why.length > 0 ? <div class="rv-why">Why: {rule.why.join('; ')}.</div> : null}
        </div>
        <div class="rv-side">
          <StateMark state={state} detail={ruleDetail(model, rule)} pending={pending} />
          <SuggestedMark label={rule.suggested} count={suggestionCount(rule)} />
          <div class="rv-buttons">
            <button
              type="button"
              class="tool"
              onClick={act(() => model.apply({ kind: 'label', label: 'actionable' }))}
              title="Actionable (a)"
            >
              ✓ Actionable <Key>a</Key>
            </button>
            <button
              type="button"
              class="tool"
              onClick={act(() => model.apply({ kind: 'label', label: 'non_actionable' }))}
              title="Non-actionable (n)"
            >
              ✕ Noise <Key>n</Key>
            </button>
            <button
              type="button"
              class="tool"
              onClick={act(() => model.apply({ kind: 'accept' }))}
              title="Accept the suggestion (s)"
            >
              Accept <Key>s</Key>
            </button>
          </div>
          <div class="rv-buttons">
            <button type="button" class="link-button" onClick={act(() => model.toggleOpen(rule.signature))} aria-expanded={open}>
              {open ? 'Hide incidents' : `Incidents (${rule.incidents.length})`}
            </button>
            <button type="button" class="link-button" onClick={act(() => onAddFollowUp(rule.signature))}>
              Add follow-up
            </button>
          </div>
        </div>
      </div>
      {open ? (
        <ol class="rv-incidents" style={{ listStyle: 'none', padding: 0 }}>
          {rule.incidents.map((incident) => (
            <IncidentRow key={incident.id} model={model} incident={incident} zone={view?.scope.timeZone ?? 'UTC'} />
          ))}
        </ol>
      ) : null}
      <FollowUps
        model={model}
        rule={rule.signature}
        items={rule.followUps}
        adding={addingFollowUp === rule.signature}
        onAdding={(on) => onAddFollowUp(on ? rule.signature : null)}
      />
    </li>
  );
}

export function RuleList(props: RuleListProps) {
  const view = props.model.view.value;
  if (!view) return null;
  return (
    <ol class="rv-rules" aria-label="Alert rules, noisiest first">
      {view.rules.map((rule, i) => (
        <RuleRow key={rule.signature} {...props} rule={rule} rank={i + 1} />
      ))}
    </ol>
  );
}
