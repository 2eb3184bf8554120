// Entry point: wires commands, the run supervisor's UI and the config language server; the work lives elsewhere.
import * as vscode from 'vscode';
import { checkEnvironment } from './commands/checkEnvironment';
import { evaluateModel } from './commands/evaluateModel';
import { newConfig } from './commands/newConfig';
import { exploreEmbeddings, showTrainingPanel } from './commands/panelCommands';
import { predictOnSelection } from './commands/predictOnSelection';
import { selectPredictionModel } from './commands/selectPredictionModel';
import { continueTrainingWordVectors, fineTuneModel, pretrainWordVectors, resumeRun, stopRun } from './commands/runCommands';
import { Ctx } from './ctx';
import { createLanguageClient } from './languageClient';
import { createPredictionStatusBar, SELECT_PREDICTION_MODEL_COMMAND } from './models/predictionModel';
import { notifyDownloads } from './run/downloadNotifications';
import { trackActiveConfigKind } from './run/runButton';
import { notifyRunEnds } from './run/runNotifications';
import { createRunStatusBar } from './run/runStatusBar';
import type { RunSupervisor } from './run/runSupervisor';

/** What activate() returns: scripts and the end-to-end tests follow runs through it. */
export interface NlpStudioApi {
  runs: RunSupervisor;
}

let ctx: Ctx | undefined;

const COMMANDS = {
  'nlpStudio.newConfig': newConfig,
  'nlpStudio.fineTuneModel': fineTuneModel,
  'nlpStudio.pretrainWordVectors': pretrainWordVectors,
  'nlpStudio.continueTrainingWordVectors': continueTrainingWordVectors,
  'nlpStudio.stopRun': stopRun,
  'nlpStudio.resumeRun': resumeRun,
  'nlpStudio.showTrainingPanel': showTrainingPanel,
  'nlpStudio.exploreEmbeddings': exploreEmbeddings,
  'nlpStudio.predictOnSelection': predictOnSelection,
  [SELECT_PREDICTION_MODEL_COMMAND]: selectPredictionModel,
  'nlpStudio.checkEnvironment': checkEnvironment,
  'nlpStudio.evaluateModel': evaluateModel,
} as const;

export async function activate(extension: vscode.ExtensionContext): Promise<NlpStudioApi> {
  ctx = new Ctx(extension);
  for (const [id, factory] of Object.entries(COMMANDS)) ctx.registerCommand(id, factory);
  ctx.own(createRunStatusBar(ctx.runs));
  ctx.own(notifyRunEnds(ctx));
  ctx.own(notifyDownloads(ctx.runs));
  ctx.own(createPredictionStatusBar(ctx.predictionModel));
  ctx.own(trackActiveConfigKind());
  ctx.languageClient = createLanguageClient(ctx);
  try {
    await ctx.languageClient.start();
  } catch (error) {
    // Commands still work without the server; say why the config checks are missing.
    void vscode.window.showErrorMessage(`NLP Studio: the config language server did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { runs: ctx.runs };
}

/** Returning the stop promise lets VS Code wait for the server to shut down cleanly. */
export function deactivate(): Promise<void> | undefined {
  const client = ctx?.languageClient;
  ctx = undefined;
  return client?.stop();
}
