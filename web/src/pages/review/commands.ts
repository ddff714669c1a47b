// What each keyboard command does on the review page, given the model and the page's overlays.
// Labelling a rule (or an incident) with a/s/1-6 moves to the next one, so a week is reviewed with
// one key per rule; n stays, so a reason can follow.
import type { Command } from './keys.ts';
import type { ReviewModel } from './review-model.ts';

export interface PageUi {
  readonly meeting: boolean;
  setMeeting(on: boolean): void;
  toggleHelp(): void;
  openReasons(): void;
  openNote(): void;
  addFollowUp(signature: string): void;
  focusHandOff(): void;
  moveWeek(by: 1 | -1): void;
}

function advance(model: ReviewModel, ui: PageUi, hadSelection: boolean): void {
  if (hadSelection) {
    model.clearSelection();
    return;
  }
  if (ui.meeting || model.current.value?.kind === 'rule') model.moveRule(1);
  else model.move(1);
}

const writes = new Set<Command['kind']>(['label', 'reason', 'acceptSuggestion', 'clearLabel']);

export function runCommand(cmd: Command, model: ReviewModel, ui: PageUi): void {
  // A label needs the reviewer's name: ask once, then carry on with this very command.
  if (writes.has(cmd.kind) && !model.hasName()) {
    model.waitingForName.value = () => runCommand(cmd, model, ui);
    return;
  }
  const row = model.current.value;
  const hadSelection = model.selected.value.size > 0;
  switch (cmd.kind) {
    case 'move':
      if (ui.meeting) model.moveRule(cmd.by);
      else model.move(cmd.by, cmd.extend);
      return;
    case 'first':
      model.first();
      return;
    case 'last':
      model.last();
      return;
    case 'nextUnlabelled':
      if (!model.nextUnlabelled()) model.said.value = 'Every rule of this week is labelled.';
      return;
    case 'toggleOpen':
      if (!ui.meeting) model.toggleOpen();
      return;
    case 'close':
      if (!ui.meeting) model.close();
      return;
    case 'label':
      if (model.apply({ kind: 'label', label: cmd.label }) && cmd.label === 'actionable') advance(model, ui, hadSelection);
      return;
    case 'reason':
      if (model.apply({ kind: 'reason', reason: cmd.reason })) advance(model, ui, hadSelection);
      return;
    case 'reasonMenu':
      ui.openReasons();
      return;
    case 'acceptSuggestion':
      if (model.apply({ kind: 'accept' })) advance(model, ui, hadSelection);
      return;
    case 'clearLabel':
      model.apply({ kind: 'clear' });
      return;
    case 'note':
      ui.openNote();
      return;
    case 'followUp':
      if (row) ui.addFollowUp(row.rule.signature);
      return;
    case 'handOff':
      if (!ui.meeting) ui.focusHandOff();
      return;
    case 'select':
      if (!ui.meeting) model.toggleSelect();
      return;
    case 'selectRange':
      if (!ui.meeting) model.selectRange();
      return;
    case 'selectAll':
      if (!ui.meeting) model.selectAll();
      return;
    case 'escape':
      if (ui.meeting) ui.setMeeting(false);
      else model.clearSelection();
      return;
    case 'openInPagerDuty': {
      const incidents = row?.incident ? [row.incident] : (row?.rule.incidents.slice(-1) ?? []);
      for (const i of incidents) if (i.url) window.open(i.url, '_blank', 'noopener');
      return;
    }
    case 'meeting':
      ui.setMeeting(!ui.meeting);
      return;
    case 'week':
      ui.moveWeek(cmd.by);
      return;
    case 'help':
      ui.toggleHelp();
      return;
  }
}
