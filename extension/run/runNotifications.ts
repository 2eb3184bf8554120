// Tells the user how a run ended, with the next useful step one click away. When the training panel
// shows the run, it already says so in place: a toast would only cover the panel's bottom, so the
// status bar says it briefly instead.
import * as vscode from 'vscode';
import type { RunFinished } from '../../common/protocol/runEvents';
import type { Ctx } from '../ctx';
import { describeModel } from '../models/modelCatalog';
import { revealPath } from '../workspaceFiles';
import { SHOW_TRAINING_PANEL_COMMAND } from './runStatusBar';
import type { RunRecord } from './runSupervisor';

const SHOW_PANEL = 'Show panel';
const REVEAL = 'Reveal run folder';
const USE_FOR_PREDICTIONS = 'Use for predictions';
const STATUS_MESSAGE_MS = 10_000;

export function notifyRunEnds(ctx: Ctx): vscode.Disposable {
  return ctx.runs.onRunEvent(({ run, event }) => {
    if (event.kind === 'finished') void announceFinished(ctx, run, event);
    else if (event.kind === 'failed') {
      const where = event.location ? ` (${event.location.file}${event.location.line ? `:${event.location.line}` : ''})` : '';
      void vscode.window.showErrorMessage(`NLP Studio: ${run.name} failed: ${event.message}${where}`, 'Show log').then((answer) => {
        if (answer) ctx.engineLog.show(true);
      });
    }
  });
}

async function announceFinished(ctx: Ctx, run: RunRecord, event: RunFinished): Promise<void> {
  const verb = event.status === 'completed' ? 'finished' : 'stopped (checkpoint saved; Resume run continues it)';
  const message = `NLP Studio: ${run.name} ${verb}.`;
  if (ctx.trainingPanel.isShowing(run.runId)) {
    vscode.window.setStatusBarMessage(`$(check) ${message}`, STATUS_MESSAGE_MS);
    return;
  }
  const model = event.status === 'completed' ? await describeModel(event.runDir) : undefined;
  const offerModel = model !== undefined && ctx.predictionModel.current?.path !== model.path;
  const answer = await vscode.window.showInformationMessage(message, SHOW_PANEL, REVEAL, ...(offerModel ? [USE_FOR_PREDICTIONS] : []));
  if (answer === SHOW_PANEL) await vscode.commands.executeCommand(SHOW_TRAINING_PANEL_COMMAND, run.runId);
  if (answer === REVEAL) await revealPath(event.runDir);
  if (answer === USE_FOR_PREDICTIONS && model) await ctx.predictionModel.use(model);
}
