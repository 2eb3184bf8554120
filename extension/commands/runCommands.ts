// Palette commands that start, stop and resume training runs. Thin: the supervisor does the work.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { isAnyConfig, isClassification, isWord2VecContinuation, isWord2VecPretraining, pickConfig, type ConfigKind } from '../run/configPicker';
import { RunStartError, type RunRecord } from '../run/runSupervisor';
import { SHOW_TRAINING_PANEL_COMMAND } from '../run/runStatusBar';

/** Runs need a trusted workspace: a config names files to read and folders to write. */
function refuseUntrusted(): boolean {
  if (vscode.workspace.isTrusted) return false;
  void vscode.window.showWarningMessage('NLP Studio does not start training runs in a Restricted Mode window. Trust the workspace to run.', 'Manage Workspace Trust').then((answer) => {
    if (answer) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return true;
}

/** How to start: plain (refused on an unfinished run's checkpoints), resume them, or discard them (fresh). */
type StartMode = { resume?: boolean; fresh?: boolean };

const RESUME = 'Resume';
const START_AFRESH = 'Start afresh';

async function startRun(ctx: Ctx, given: vscode.Uri | undefined, accepts: ConfigKind, purpose: string, mode: StartMode): Promise<RunRecord | undefined> {
  if (refuseUntrusted()) return undefined;
  const config = await pickConfig(given, accepts, purpose);
  if (!config) return undefined;
  return startConfig(ctx, config, purpose, mode);
}

async function startConfig(ctx: Ctx, config: vscode.Uri, purpose: string, mode: StartMode): Promise<RunRecord | undefined> {
  try {
    const run = await ctx.runs.start({ configPath: config.fsPath, ...mode });
    await vscode.commands.executeCommand(SHOW_TRAINING_PANEL_COMMAND, run.runId);
    return run;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.engineLog.error(`${vscode.workspace.asRelativePath(config)}: ${message}`);
    if (error instanceof RunStartError && error.reason === 'unfinished-run') {
      // The run folder holds a stopped (or crashed) run's checkpoints: never discarded without asking.
      const answer = await vscode.window.showWarningMessage(
        `NLP Studio: ${vscode.workspace.asRelativePath(config)} has an unfinished run with checkpoints. Resume it, or start afresh and delete them?`,
        { modal: true },
        RESUME,
        START_AFRESH,
      );
      if (answer === RESUME) return startConfig(ctx, config, 'resume a run', { resume: true });
      if (answer === START_AFRESH) return startConfig(ctx, config, purpose, { fresh: true });
      return undefined;
    }
    void vscode.window.showErrorMessage(`NLP Studio: could not ${purpose}: ${message}`);
    return undefined;
  }
}

export const fineTuneModel = (ctx: Ctx) => (config?: vscode.Uri) => startRun(ctx, config, isClassification, 'fine-tune a model', {});

export const pretrainWordVectors = (ctx: Ctx) => (config?: vscode.Uri) => startRun(ctx, config, isWord2VecPretraining, 'pretrain word vectors', {});

export const continueTrainingWordVectors = (ctx: Ctx) => (config?: vscode.Uri) =>
  startRun(ctx, config, isWord2VecContinuation, 'continue training word vectors', {});

/** Resumes the given config, else the latest run of this session that did not complete, else a picked one. */
export const resumeRun = (ctx: Ctx) => (config?: vscode.Uri) => {
  const unfinished = ctx.runs.allRuns.filter((run) => run.status === 'stopped' || run.status === 'failed').at(-1);
  const target = config ?? (unfinished?.configPath ? vscode.Uri.file(unfinished.configPath) : undefined);
  return startRun(ctx, target, isAnyConfig, 'resume a run', { resume: true });
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
