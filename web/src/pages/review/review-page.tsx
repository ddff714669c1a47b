// The weekly alert-quality review (issue 8): pick a team or schedule and a week (default: the last
// full week in its zone), see the week's figures, go through the pages grouped by alert rule,
// noisiest first, labelling each rule (or single incidents, or a selection) with the keyboard,
// add follow-ups and the hand-off note, run it full screen in the meeting, export the week as CSV,
// and watch the trends. The URL holds the scope and the week, so a link opens the same review.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { queryString } from '../../api/client.ts';
import { Page, Section } from '../../components/layout.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { addDays } from '../../lib/dates.ts';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { type AppModel, useApp } from '../../models/app-model.ts';
import { useResource } from '../../models/use-resource.ts';
import type { PageProps } from '../../routes.ts';
import { type PageUi, runCommand } from './commands.ts';
import { HelpDialog, NamePrompt, NoteEditor, ReasonMenu } from './dialogs.tsx';
import { FollowUps } from './follow-ups.tsx';
import { HandOffNote } from './hand-off-note.tsx';
import { isTypingTarget, keyCommand } from './keys.ts';
import { PageTimes } from './marks.tsx';
import { MeetingMode } from './meeting-mode.tsx';
import { ReviewHeader } from './review-header.tsx';
import { ReviewModel } from './review-model.ts';
import { ReviewTrends } from './review-trends.tsx';
import { RuleList } from './rule-list.tsx';
import type { ReviewOptions, ReviewView } from './types.ts';
import { reasonTitles } from './types.ts';
import './review.css';

function mondayOf(date: string): string {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((dow + 6) % 7));
}

function Legend() {
  return (
    <p class="rv-legend">
      <span class="sr-only">Keys:</span>
      <span>
        <kbd>j</kbd>/<kbd>k</kbd> move
      </span>
      <span>
        <kbd>a</kbd> actionable
      </span>
      <span>
        <kbd>n</kbd> non-actionable
      </span>
      <span>
        <kbd>1</kbd>–<kbd>6</kbd> reason
      </span>
      <span>
        <kbd>s</kbd> accept suggestion
      </span>
      <span>
        <kbd>o</kbd> incidents
      </span>
      <span>
        <kbd>x</kbd> select (<kbd>Shift</kbd>+<kbd>j</kbd>/<kbd>k</kbd> range)
      </span>
      <span>
        <kbd>e</kbd> note
      </span>
      <span>
        <kbd>f</kbd> follow-up
      </span>
      <span>
        <kbd>m</kbd> meeting mode
      </span>
      <span>
        <kbd>?</kbd> all keys
      </span>
    </p>
  );
}

function Conflicts({ model }: { model: ReviewModel }) {
  const view = model.view.value;
  const titles = new Map(view?.rules.flatMap((r) => r.incidents.map((i) => [i.id, `#${i.number ?? i.id} ${i.title}`])) ?? []);
  return (
    <>
      {model.conflicts.value.map((c) => (
        <div key={c.id} class="rv-banner" role="alert" data-conflict="labels">
          <strong>Not saved: another reviewer changed {c.current.length === 1 ? 'this label' : 'these labels'} first.</strong>{' '}
          Nothing of your change was written; the page now shows theirs.
          <ul>
            {c.current.map((x) => (
              <li key={x.incidentId}>
                {titles.get(x.incidentId) ?? x.incidentId}:{' '}
                {'removed' in x
                  ? 'the label was removed'
                  : `${x.labelledBy} labelled it ${x.label === 'actionable' ? 'actionable' : 'non-actionable'}${
                      x.reason ? ` (${reasonTitles[x.reason]})` : ''
                    } at ${formatDateTime(x.labelledAt, view?.scope.timeZone)}`}
              </li>
            ))}
          </ul>
          <div class="row">
            <button type="button" class="button button-small" onClick={() => model.dismissConflict(c.id)}>
              Keep theirs
            </button>
            <button type="button" class="button button-small" onClick={() => model.retryConflict(c.id)}>
              Apply mine over theirs
            </button>
          </div>
        </div>
      ))}
      {model.writeError.value ? (
        <div class="rv-banner" role="alert">
          <strong>Not saved:</strong> {model.writeError.value.message} {model.writeError.value.hint}{' '}
          <button type="button" class="link-button" onClick={() => (model.writeError.value = null)}>
            Dismiss
          </button>
        </div>
      ) : null}
    </>
  );
}

/** The options (scopes and their default weeks) are asked for before the rest of the catalogue is in. */
export function prefetch(app: AppModel): void {
  app.data.prefetch(OPTIONS_URL);
}

const OPTIONS_URL = '/api/review/options';

export default function ReviewPage(_props: PageProps) {
  const app = useApp();
  const { router } = app;
  const params = router.params.value;
  const options = useResource<ReviewOptions>(OPTIONS_URL);
  const model = useMemo(() => new ReviewModel(app.api, app.prefs), [app]);
  useEffect(() => () => model.dispose(), [model]);
  const [help, setHelp] = useState(false);
  const [reasons, setReasons] = useState(false);
  const [noteFor, setNoteFor] = useState<string[] | null>(null);
  const [addingFollowUp, setAddingFollowUp] = useState<string | null>(null);
  const [meeting, setMeetingState] = useState(false);
  // Read by the key handler, which may run before the page re-renders after a change.
  const meetingRef = useRef(false);
  const setMeeting = (on: boolean) => {
    meetingRef.current = on;
    setMeetingState(on);
  };
  const [handOffFocus, setHandOffFocus] = useState(0);
  // Set the moment a dialog or form opens (before it renders), so keys typed meanwhile are not commands.
  const modal = useRef(false);

  const team = params.get('team');
  const schedule = params.get('schedule');
  const week = params.get('week');
  const opts = options?.data;
  // Without a scope in the URL, open the first team's review (the URL then says which).
  useEffect(() => {
    if (!team && !schedule && opts?.teams[0]) router.setParams({ team: opts.teams[0].id }, { replace: true });
  }, [team, schedule, opts]);
  const scopeQuery = team ? { team } : schedule ? { schedule } : null;
  const viewUrl = scopeQuery ? `/api/review${queryString({ ...scopeQuery, week })}` : null;
  useEffect(() => {
    if (viewUrl) void model.load(viewUrl);
  }, [viewUrl, model]);
  // The trends are for the view's week. Without a week in the URL that is the scope's default week,
  // which the options already name: ask for the trends now, alongside the view, rather than once the
  // view has answered (one round trip less before the first chart). ReviewTrends reads the same URL.
  const defaultWeek = team
    ? opts?.teams.find((t) => t.id === team)?.defaultWeek
    : schedule
      ? opts?.schedules.find((s) => s.id === schedule)?.defaultWeek
      : undefined;
  const earlyTrendsUrl =
    scopeQuery && !week && defaultWeek ? `/api/review/trends${queryString({ ...scopeQuery, week: defaultWeek })}` : null;
  useEffect(() => {
    if (earlyTrendsUrl) app.data.prefetch(earlyTrendsUrl);
  }, [earlyTrendsUrl]);

  const view: ReviewView | null = model.view.value;
  const name = app.prefs.reviewerName.value;
  // Keep the row under the cursor on screen.
  const cursorKey = model.current.value?.key;
  useEffect(() => {
    if (!cursorKey) return;
    const el = document.querySelector(`[data-row-key="${CSS.escape(cursorKey)}"]`);
    el?.scrollIntoView({ block: 'nearest' });
  }, [cursorKey, meeting]);
  // Say what the last command did, then clear it.
  const said = model.said.value;
  useEffect(() => {
    if (!said) return;
    const t = setTimeout(() => (model.said.value = ''), 3500);
    return () => clearTimeout(t);
  }, [said]);

  /** Close a dialog: keys are commands again at once, before the page re-renders. */
  const close = <T,>(set: (value: T) => void, value: T) => {
    modal.current = false;
    set(value);
  };
  const moveWeek = (by: 1 | -1) => {
    if (!view) return;
    const target = by < 0 ? view.week.previous : view.week.next;
    if (target) router.setParams({ week: target });
  };
  const openNote = () => {
    const targets = model.targetIncidents();
    if (targets.length === 0) return;
    modal.current = true;
    setNoteFor(targets.map((i) => i.id));
  };
  const ui: PageUi = {
    get meeting() {
      return meetingRef.current;
    },
    setMeeting: (on) => {
      setMeeting(on);
      if (on && model.current.value?.kind === 'incident') model.moveTo(`r:${model.current.value.rule.signature}`);
    },
    toggleHelp: () => {
      modal.current = !help;
      setHelp((h) => !h);
    },
    openReasons: () => {
      modal.current = true;
      setReasons(true);
    },
    openNote,
    addFollowUp: (sig) => {
      modal.current = true;
      setAddingFollowUp(sig);
    },
    focusHandOff: () => setHandOffFocus((n) => n + 1),
    moveWeek,
  };

  modal.current = help || reasons || noteFor !== null || addingFollowUp !== null;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const typing = isTypingTarget(e.target);
      if (addingFollowUp && !typing) {
        // The follow-up form is open but not focused: Escape closes it, nothing else is a command.
        if (e.key === 'Escape') setAddingFollowUp(null);
        e.preventDefault();
        return;
      }
      const askingName = model.waitingForName.value !== null && !model.hasName();
      if (askingName || (modal.current && !typing)) {
        if (e.key === 'Escape') {
          setHelp(false);
          setReasons(false);
          setNoteFor(null);
          model.waitingForName.value = null;
          modal.current = false;
          e.preventDefault();
        } else if (reasons && /^[1-6]$/.test(e.key)) {
          const cmd = keyCommand(e);
          setReasons(false);
          if (cmd) runCommand(cmd, model, ui);
          e.preventDefault();
        } else if (help && e.key === '?') setHelp(false);
        return;
      }
      if (typing) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      const cmd = keyCommand(e);
      if (!cmd) return;
      e.preventDefault();
      runCommand(cmd, model, ui);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const scopeValue = team ? `team:${team}` : schedule ? `schedule:${schedule}` : '';
  const zone = view?.scope.timeZone ?? opts?.teams.find((t) => t.id === team)?.timeZone ?? 'UTC';
  const csvUrl = scopeQuery && view ? `/api/review/export.csv${queryString({ ...scopeQuery, week: view.week.start })}` : null;
  const trendsUrl = scopeQuery && view ? `/api/review/trends${queryString({ ...scopeQuery, week: view.week.start })}` : null;
  const noteIncidents = noteFor ? (view?.rules.flatMap((r) => r.incidents).filter((i) => noteFor.includes(i.id)) ?? []) : [];
  const noteInitial = (() => {
    const notes = new Set(noteIncidents.map((i) => model.shown(i)?.note ?? ''));
    return notes.size === 1 ? ([...notes][0] ?? '') : '';
  })();

  let body = null;
  if (!viewUrl || (model.status.value === 'loading' && !view)) body = <Loading height={400} label="Loading the week…" />;
  else if (model.status.value === 'error' && model.error.value) {
    body = <ErrorState error={model.error.value} onRetry={() => viewUrl && void model.load(viewUrl)} />;
  } else if (view) {
    body = (
      <>
        <Conflicts model={model} />
        <ReviewHeader model={model} />
        <Legend />
        <Section
          title="Pages by alert rule"
          description="Noisiest first. Labelling a rule labels each of its incidents this week; open a rule to label single incidents."
          id="rules"
        >
          {view.rules.length === 0 ? (
            <EmptyState title={`Nothing paged ${view.scope.name} in the week of ${formatDate(view.week.start)}.`}>
              A quiet week, or the pages are not synced yet: check the <a href="/sync">Sync page</a>. Pages count only for the
              services and schedules mapped to the team.
            </EmptyState>
          ) : (
            <RuleList model={model} addingFollowUp={meeting ? null : addingFollowUp} onAddFollowUp={setAddingFollowUp} />
          )}
        </Section>
        {view.unlinkedPages.length > 0 ? (
          <Section
            title="Pages without an incident"
            description="PagerDuty's log did not tie these pages to an incident, so they cannot be labelled; they count in the figures."
          >
            <PageTimes pages={view.unlinkedPages} max={60} />
          </Section>
        ) : null}
        {view.otherFollowUps.length > 0 ? (
          <Section title="Follow-ups carried over" description="Open follow-ups of rules that did not page this week.">
            {[...new Set(view.otherFollowUps.map((f) => f.ruleSignature))].map((sig) => {
              const items = view.otherFollowUps.filter((f) => f.ruleSignature === sig);
              return (
                <div key={sig} class="card" style={{ marginBottom: '8px' }}>
                  <div class="card-body">
                    <div class="rv-title">{items[0]?.ruleTitle ?? sig}</div>
                    <FollowUps model={model} rule={sig} items={items} adding={false} onAdding={() => undefined} />
                  </div>
                </div>
              );
            })}
          </Section>
        ) : null}
        <Section title="Hand-off note" description="What the next person on call should know (w).">
          <HandOffNote model={model} focusToken={handOffFocus} />
        </Section>
        {trendsUrl ? <ReviewTrends url={trendsUrl} fileParts={[view.scope.key.replace(':', '-'), view.week.start]} /> : null}
      </>
    );
  }

  return (
    <Page
      title="Weekly review"
      subtitle={
        view ? (
          <>
            {view.scope.name} · week of {formatDate(view.week.start)} to {formatDate(view.week.end)} ({zone})
            {view.week.isDefault ? ' · the last full week' : ''}
            {view.week.partial ? ' · not over yet' : ''}
          </>
        ) : (
          'Go through last week’s pages, mark each alert actionable or noise, decide what to fix.'
        )
      }
      actions={
        <>
          {name ? (
            <span class="muted" style={{ fontSize: '0.85rem' }}>
              Reviewing as <strong>{name}</strong>{' '}
              <button type="button" class="link-button" onClick={() => app.prefs.setReviewerName('')}>
                change
              </button>
            </span>
          ) : null}
          <button type="button" class="button" onClick={() => setHelp(true)}>
            Keys <kbd>?</kbd>
          </button>
          <button type="button" class="button" onClick={() => ui.setMeeting(true)} disabled={!view}>
            Meeting mode <kbd>m</kbd>
          </button>
          {csvUrl ? (
            <a class="button" href={csvUrl} download data-action="review-csv">
              Export week (CSV)
            </a>
          ) : null}
        </>
      }
    >
      <div class="rv-controls">
        <label class="field">
          <span class="field-label">Team or schedule</span>
          <select
            value={scopeValue}
            onChange={(e) => {
              const [kind, ...rest] = (e.target as HTMLSelectElement).value.split(':');
              const id = rest.join(':');
              router.setParams({ team: kind === 'team' ? id : null, schedule: kind === 'schedule' ? id : null, week: week });
            }}
          >
            {!scopeValue ? <option value="">Choose…</option> : null}
            <optgroup label="Teams">
              {(opts?.teams ?? []).map((t) => (
                <option key={t.id} value={`team:${t.id}`}>
                  {t.name}
                </option>
              ))}
            </optgroup>
            {(opts?.schedules ?? []).length > 0 ? (
              <optgroup label="On-call schedules">
                {(opts?.schedules ?? []).map((s) => (
                  <option key={s.id} value={`schedule:${s.id}`}>
                    {s.name}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </label>
        <div class="field">
          <span class="field-label">Week (Monday to Sunday, {zone})</span>
          <div class="rv-week">
            <button
              type="button"
              class="button button-small"
              onClick={() => moveWeek(-1)}
              disabled={!view}
              title="Previous week ([)"
            >
              ‹
            </button>
            <input
              type="date"
              aria-label="A day in the week to review"
              value={view?.week.start ?? ''}
              onChange={(e) => {
                const value = (e.target as HTMLInputElement).value;
                if (value) router.setParams({ week: mondayOf(value) });
              }}
            />
            <button
              type="button"
              class="button button-small"
              onClick={() => moveWeek(1)}
              disabled={!view?.week.next}
              title="Next week (])"
            >
              ›
            </button>
            <button type="button" class="button button-small" onClick={() => router.setParams({ week: null })} disabled={!week}>
              Last full week
            </button>
          </div>
        </div>
      </div>
      {body}
      {help ? <HelpDialog onClose={() => close(setHelp, false)} /> : null}
      {reasons ? (
        <ReasonMenu
          onClose={() => close(setReasons, false)}
          onPick={(reason) => {
            close(setReasons, false);
            runCommand({ kind: 'reason', reason }, model, ui);
          }}
        />
      ) : null}
      {noteFor && noteIncidents.length > 0 ? (
        <NoteEditor
          what={
            noteIncidents.length === 1
              ? `#${noteIncidents[0]?.number ?? noteIncidents[0]?.id}`
              : `${noteIncidents.length} incidents`
          }
          initial={noteInitial}
          hint={
            noteIncidents.some((i) => model.shown(i) === null)
              ? 'Unlabelled incidents take their suggested label with the note.'
              : noteIncidents.length > 1
                ? 'The note replaces each incident’s own note.'
                : undefined
          }
          onClose={() => close(setNoteFor, null)}
          onSave={(note) => {
            close(setNoteFor, null);
            model.apply({ kind: 'note', note }, noteIncidents);
          }}
        />
      ) : null}
      {model.waitingForName.value && !name ? <NamePrompt onClose={() => (model.waitingForName.value = null)} /> : null}
      {meeting && view ? (
        <MeetingMode
          model={model}
          onExit={() => setMeeting(false)}
          addingFollowUp={addingFollowUp}
          onAddFollowUp={setAddingFollowUp}
        />
      ) : null}
      <div class="rv-live" role="status" aria-live="polite">
        {said}
      </div>
    </Page>
  );
}
