// Palette commands that start, stop and resume training runs. Thin: the supervisor does the work.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { isAnyConfig, isClassification, isWord2VecContinuation, isWord2VecPretraining, pickConfig, type ConfigKind } from '../run/configPicker';
import type { RunRecord } from '../run/runSupervisor';
import { SHOW_TRAINING_PANEL_COMMAND } from '../run/runStatusBar';

/** Runs need a trusted workspace: a config names files to read and folders to write. */
function refuseUntrusted(): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window.showWarningMessage('NLP Studio does not start training runs in a Restricted Mode window. Trust the workspace to run.', 'Manage Workspace Trust').then((answer) => {
    if (answer) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return true;
}

async function startRun(ctx: Ctx, given: vscode.Uri | undefined, accepts: ConfigKind, purpose: string, resume: boolean): Promise<RunRecord | undefined> {
  if (refuseUntrusted()) return undefined;
  const config = await pickConfig(given, accepts, purpose);
  if (!config) return undefined;
  try {
    const run = await ctx.runs.start({ configPath: config.fsPath, resume });
    await vscode.commands.executeCommand(SHOW_TRAINING_PANEL_COMMAND, run.runId);
    return run;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.engineLog.error(`${vscode.workspace.asRelativePath(config)}: ${message}`);
    void vscode.window.showErrorMessage(`NLP Studio: could not ${purpose}: ${message}`);
    return undefined;
  }
}

export const fineTuneModel = (ctx: Ctx) => (config?: vscode.Uri) => startRun(ctx, config, isClassification, 'fine-tune a model', false);

export const pretrainWordVectors = (ctx: Ctx) => (config?: vscode.Uri) => startRun(ctx, config, isWord2VecPretraining, 'pretrain word vectors', false);

export const continueTrainingWordVectors = (ctx: Ctx) => (config?: vscode.Uri) =>
  startRun(ctx, config, isWord2VecContinuation, 'continue training word vectors', false);

/** Resumes the given config, else the latest run of this session that did not complete, else a picked one. */
export const resumeRun = (ctx: Ctx) => (config?: vscode.Uri) => {
  const unfinished = ctx.runs.allRuns.filter((run) => run.status === 'stopped' || run.status === 'failed').at(-1);
  const target = config ?? (unfinished?.configPath ? vscode.Uri.file(unfinished.configPath) : undefined);
  return startRun(ctx, target, isAnyConfig, 'resume a run', true);
};

/** First stop saves a checkpoint and stops; a second one while that is under way kills the engine. */
export const stopRun = (ctx: Ctx) => async (): Promise<void> => {
  const run = ctx.runs.activeRun;
  if (!run) {
    void vscode.window.showInformationMessage('NLP Studio: no run is in progress.');
    return;
  }
  await ctx.runs.stop(run);
};
