// The status-bar item of the run in progress: name, progress and ETA; a click opens the training panel.
import * as vscode from 'vscode';
import type { RunRecord, RunSupervisor } from './runSupervisor';
import { formatEta } from '../../common/formatDuration';

export const SHOW_TRAINING_PANEL_COMMAND = 'nlpStudio.showTrainingPanel';

/** The item's text and tooltip for a run; pure, so the wording is easy to read in one place. */
export function describeRun(run: RunRecord): { text: string; tooltip: string } {
  const step = run.latestStep;
  const progress = run.caching ?? step;
  const percent = progress ? `${Math.floor(progress.progress * 100)}%${run.caching ? ' caching features' : ''}` : 'starting';
  const eta = progress ? ` · ETA ${formatEta(progress.etaSeconds)}` : '';
  const icon = run.status === 'stopping' ? '$(debug-pause)' : '$(sync~spin)';
  const verb = run.status === 'stopping' ? 'Stopping' : 'Training';
  const detail = step ? `\nepoch ${step.epoch} · loss ${step.loss.toPrecision(4)} · ${Math.round(step.throughput).toLocaleString()} ${step.throughputUnit}` : '';
  return { text: `${icon} ${run.name} ${percent}${eta}`, tooltip: `${verb} ${run.name} (${run.task})${detail}\nClick to show the training panel.` };
}

export function createRunStatusBar(supervisor: RunSupervisor): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('nlpStudio.run', vscode.StatusBarAlignment.Left, 10);
  item.name = 'NLP Studio run';
  item.command = SHOW_TRAINING_PANEL_COMMAND;
  const refresh = (): void => {
    const run = supervisor.activeRun;
    if (!run) {
      item.hide();
      return;
    }
    const { text, tooltip } = describeRun(run);
    item.text = text;
    item.tooltip = tooltip;
    item.show();
  };
  const subscription = supervisor.onDidChangeRun(refresh);
  return vscode.Disposable.from(item, subscription);
}
