// Tells the user how a run ended, with the next useful step one click away.
import * as vscode from 'vscode';
import { SHOW_TRAINING_PANEL_COMMAND } from './runStatusBar';
import type { RunSupervisor } from './runSupervisor';

export function notifyRunEnds(supervisor: RunSupervisor, log: vscode.LogOutputChannel): vscode.Disposable {
  return supervisor.onRunEvent(({ run, event }) => {
    if (event.kind === 'finished') {
      const verb = event.status === 'completed' ? 'finished' : 'stopped (checkpoint saved; Resume run continues it)';
      void vscode.window.showInformationMessage(`NLP Studio: ${run.name} ${verb}.`, 'Show panel', 'Reveal run folder').then((answer) => {
        if (answer === 'Show panel') void vscode.commands.executeCommand(SHOW_TRAINING_PANEL_COMMAND, run.runId);
        if (answer === 'Reveal run folder') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(event.runDir));
      });
    } else if (event.kind === 'failed') {
      const where = event.location ? ` (${event.location.file}${event.location.line ? `:${event.location.line}` : ''})` : '';
      void vscode.window.showErrorMessage(`NLP Studio: ${run.name} failed: ${event.message}${where}`, 'Show log').then((answer) => {
        if (answer) log.show(true);
      });
    }
  });
}
