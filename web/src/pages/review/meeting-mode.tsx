// Meeting mode: the screen in the meeting room shows one alert rule at a time in big type (what
// fired, how often, when, who it woke, why Vigil suggests what it does, the label and follow-ups);
// the same keys label it and move on. Full screen where the browser allows; Esc or m leaves.
import { useEffect } from 'preact/hooks';
import { formatNumber, formatPercent } from '../../lib/format.ts';
import { FollowUps } from './follow-ups.tsx';
import { PageTimes, StateMark, SuggestedMark } from './marks.tsx';
import type { ReviewModel } from './review-model.ts';
import { suggestionCount } from './rule-list.tsx';
import { reasonTitles } from './types.ts';

export function MeetingMode({
  model,
  onExit,
  addingFollowUp,
  onAddFollowUp,
}: {
  model: ReviewModel;
  onExit: () => void;
  addingFollowUp: string | null;
  onAddFollowUp: (signature: string | null) => void;
}) {
  const view = model.view.value;
  const row = model.current.value;
  useEffect(() => {
    const el = document.documentElement;
    let entered = false;
    // Leaving full screen the browser's way (Esc, F11) leaves meeting mode too.
    const onChange = () => {
      if (document.fullscreenElement) entered = true;
      else if (entered) onExit();
    };
    document.addEventListener('fullscreenchange', onChange);
    if (!document.fullscreenElement && el.requestFullscreen) el.requestFullscreen().catch(() => undefined);
    return () => {
      document.removeEventListener('fullscreenchange', onChange);
      if (document.fullscreenElement) document.exitFullscreen().catch(() => undefined);
    };
  }, []);
  if (!view) return null;
  const rule = row?.rule;
  const index = rule ? view.rules.indexOf(rule) : -1;
  const labelled = view.rules.filter((r) => model.ruleState(r) !== 'unlabelled').length;
  return (
    <div class="rv-meeting" role="dialog" aria-modal="true" aria-label="Meeting mode" data-meeting="on">
      <div class="rv-meeting-top">
        <span>
          {view.scope.name} · week of {view.week.start} · rule {index + 1} of {view.rules.length}
        </span>
        <span>
          {labelled} of {view.rules.length} rules labelled · false-positive ratio {formatPercent(view.header.falsePositiveRatio)}
        </span>
        <button type="button" class="button" onClick={onExit}>
          Leave <kbd>Esc</kbd>
        </button>
      </div>
      {rule ? (
        <>
          <h2 data-meeting-rule={rule.signature}>{rule.title}</h2>
          <div class="rv-example">
            {rule.serviceName} · latest: {rule.example}
          </div>
          <div class="rv-meeting-figures">
            <div>
              <strong>{formatNumber(rule.pages)}</strong>
              <span>pages</span>
            </div>
            <div>
              <strong>{formatNumber(rule.incidents.length)}</strong>
              <span>incidents</span>
            </div>
            <div>
              <strong>{formatNumber(rule.sleepPages)}</strong>
              <span>☾ sleep-hour pages</span>
            </div>
            <div>
              <strong>{formatNumber(rule.responders.length)}</strong>
              <span>people paged</span>
            </div>
          </div>
          <div>
            <StateMark
              state={model.ruleState(rule)}
              detail={(() => {
                const reasons = new Set(rule.incidents.map((i) => model.shown(i)?.reason ?? null));
                const only = reasons.size === 1 ? [...reasons][0] : null;
                return only ? reasonTitles[only] : undefined;
              })()}
            />{' '}
            <SuggestedMark label={rule.suggested} count={suggestionCount(rule)} />
          </div>
          {rule.why.length > 0 ? <p class="rv-meeting-why">Why: {rule.why.join('; ')}.</p> : null}
          <PageTimes pages={rule.incidents.flatMap((i) => i.pages)} max={24} />
          {rule.responders.length > 0 ? (
            <p class="rv-meeting-why">Paged: {rule.responders.map((r) => `${r.name} ×${r.pages}`).join(', ')}</p>
          ) : null}
          <FollowUps
            model={model}
            rule={rule.signature}
            items={rule.followUps}
            adding={addingFollowUp === rule.signature}
            onAdding={(on) => onAddFollowUp(on ? rule.signature : null)}
          />
        </>
      ) : (
        <h2>No alert rule paged this week.</h2>
      )}
      <p class="rv-meeting-keys">
        <kbd>j</kbd>/<kbd>k</kbd> next/previous rule · <kbd>a</kbd> actionable · <kbd>n</kbd> non-actionable · <kbd>1</kbd>–
        <kbd>6</kbd> reason · <kbd>s</kbd> accept suggestion · <kbd>e</kbd> note · <kbd>f</kbd> follow-up · <kbd>.</kbd> next
        unlabelled · <kbd>Esc</kbd> leave
      </p>
    </div>
  );
}
