// "Evaluate model": a text classifier scored on a labelled file in the engine, the report shown as a
// read-only markdown preview (accuracy, macro-F1, per-class metrics, confusion matrix).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import { parse as parseYaml } from 'yaml';
import { ClassifierEvaluateRequest, type ClassifierEvaluation, type DataErrorLocation } from '../../common/protocol/engine';
import type { Ctx } from '../ctx';
import { resolveModel } from '../models/modelQuickPick';

export const EVALUATION_SCHEME = 'nlp-studio-evaluation';
const LABELLED_GLOB = '**/*.{csv,tsv,jsonl}';
const EXCLUDED = '**/{node_modules,checkpoints,.git}/**';

export interface EvaluateModelArgs {
  /** Skips the choice of model: a classifier folder. */
  modelPath?: string;
  /** Skips the choice of data: a labelled CSV, TSV or JSONL file. */
  dataPath?: string;
  textColumn?: string;
  labelColumn?: string;
  /** Leaves the report closed (scripts that only want the numbers). */
  hideReport?: boolean;
}

/** What the run that wrote a folder read its data with, when the folder is a run folder. */
interface RunData {
  validation?: string;
  textColumn?: string;
  labelColumn?: string;
  format?: 'csv' | 'tsv' | 'jsonl';
}

/** Resolves to the evaluation (for scripts and tests), or undefined when cancelled or failed (with a message). */
export const evaluateModel =
  (ctx: Ctx) =>
  async (args: EvaluateModelArgs = {}): Promise<ClassifierEvaluation | undefined> => {
    const model = await resolveModel(ctx, args.modelPath, { kinds: ['classifier'], title: 'Model to evaluate', placeHolder: 'Choose a text classifier' });
    if (!model) return undefined;
    const runData = await readRunData(model.path);
    const dataPath = args.dataPath ?? (await pickData(runData.validation));
    if (!dataPath) return undefined;
    const params = {
      modelPath: model.path,
      dataPath,
      ...optional('textColumn', args.textColumn ?? runData.textColumn),
      ...optional('labelColumn', args.labelColumn ?? runData.labelColumn),
      ...(args.dataPath === undefined || args.dataPath === runData.validation ? optional('format', runData.format) : {}),
    };
    const modelName = vscode.workspace.asRelativePath(model.path);
    let evaluation: ClassifierEvaluation;
    try {
      evaluation = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `NLP Studio: evaluating ${modelName} on ${vscode.workspace.asRelativePath(dataPath)}…`,
        },
        () => ctx.runs.ensureEngine().connection.sendRequest(ClassifierEvaluateRequest, params),
      );
    } catch (error) {
      void showFailure(error);
      return undefined;
    }
    if (!args.hideReport) await showReport(ctx, evaluation);
    return evaluation;
  };

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A run folder's config.resolved.yaml says which validation file and columns the model was trained with. */
async function readRunData(folder: string): Promise<RunData> {
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(folder, 'config.resolved.yaml'))));
    const data = (parseYaml(text) as { data?: Record<string, unknown> } | null)?.data ?? {};
    const text_ = (key: string): string | undefined => (typeof data[key] === 'string' ? data[key] : undefined);
    const format = text_('format');
    return {
      ...optional('validation', text_('validation')),
      ...optional('textColumn', text_('text_column')),
      ...optional('labelColumn', text_('label_column')),
      ...(format === 'csv' || format === 'tsv' || format === 'jsonl' ? { format } : {}),
    };
  } catch {
    return {}; // not a run folder (a model folder from elsewhere): nothing to default to
  }
}

interface DataItem extends vscode.QuickPickItem {
  readonly file?: string;
  readonly browse?: true;
}

async function pickData(validation: string | undefined): Promise<string | undefined> {
  const items: DataItem[] = [];
  if (validation !== undefined) items.push({ label: vscode.workspace.asRelativePath(validation), description: "the run's data.validation", file: validation });
  for (const uri of await vscode.workspace.findFiles(LABELLED_GLOB, EXCLUDED, 200)) {
    // A run's metrics.jsonl is JSONL but no labelled data.
    if (uri.fsPath !== validation && path.basename(uri.fsPath) !== 'metrics.jsonl') items.push({ label: vscode.workspace.asRelativePath(uri), file: uri.fsPath });
  }
  items.push({ label: '$(folder-opened) Browse…', description: 'a labelled CSV, TSV or JSONL file', browse: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Labelled data to evaluate on',
    placeHolder: 'Choose a CSV, TSV or JSONL file with text and label columns',
  });
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const files = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Evaluate on this file',
    filters: { 'Labelled data': ['csv', 'tsv', 'jsonl'] },
  });
  return files?.[0]?.fsPath;
}

/** The error, with a button that opens the data file at the line to blame when there is one. */
async function showFailure(error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const location = error instanceof ResponseError ? (error.data as DataErrorLocation | undefined) : undefined;
  if (location?.file === undefined) {
    void vscode.window.showErrorMessage(`NLP Studio: the evaluation failed: ${message}`);
    return;
  }
  const open = 'Open the file';
  if ((await vscode.window.showErrorMessage(`NLP Studio: the evaluation failed: ${message}`, open)) !== open) return;
  const line = Math.max(0, (location.line ?? 1) - 1);
  await vscode.window.showTextDocument(vscode.Uri.file(location.file), {
    selection: new vscode.Range(line, 0, line, 0),
  });
}

/** Reports by URI; the provider serves them to the markdown preview. */
class EvaluationReports implements vscode.TextDocumentContentProvider {
  private readonly reports = new Map<string, string>();
  private next = 1;

  add(evaluation: ClassifierEvaluation): vscode.Uri {
    const name = `${path.basename(evaluation.modelPath)} on ${path.basename(evaluation.dataPath)}.md`;
    const uri = vscode.Uri.from({
      scheme: EVALUATION_SCHEME,
      path: `/${name}`,
      query: String(this.next++),
    });
    this.reports.set(uri.toString(), evaluationMarkdown(evaluation));
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.toString()) ?? '# This evaluation is no longer available\n\nRun "NLP Studio: Evaluate model" again.';
  }
}

const reportsByCtx = new WeakMap<Ctx, EvaluationReports>();

async function showReport(ctx: Ctx, evaluation: ClassifierEvaluation): Promise<void> {
  let reports = reportsByCtx.get(ctx);
  if (!reports) {
    reports = new EvaluationReports();
    ctx.own(vscode.workspace.registerTextDocumentContentProvider(EVALUATION_SCHEME, reports));
    reportsByCtx.set(ctx, reports);
  }
  const uri = reports.add(evaluation);
  // Opened here too, so the report is a text document of this host (the preview may render it in another).
  const document = await vscode.workspace.openTextDocument(uri);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // No markdown preview (the built-in extension disabled): the markdown itself is still readable.
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

/** The report: headline numbers, the per-class table and the confusion matrix (rows true, columns predicted). */
export function evaluationMarkdown(evaluation: ClassifierEvaluation): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const fixed = (value: number): string => value.toFixed(4);
  const pct = (value: number): string => `${(value * 100).toFixed(2)}%`;
  const relative = (file: string): string => vscode.workspace.asRelativePath(file);
  const { labels, confusionMatrix, badLines } = evaluation;
  const lines = [
    `# Evaluation of ${cell(relative(evaluation.modelPath))}`,
    '',
    `On \`${relative(evaluation.dataPath)}\`: ${evaluation.count.toLocaleString()} examples (${cell(evaluation.modelType)} model, ${labels.length} classes).`,
    '',
    '| accuracy | macro-F1 | loss |',
    '|--:|--:|--:|',
    `| ${pct(evaluation.accuracy)} | ${fixed(evaluation.macroF1)} | ${fixed(evaluation.loss)} |`,
    '',
    '## Per class',
    '',
    '| class | precision | recall | F1 | support |',
    '|:--|--:|--:|--:|--:|',
    ...evaluation.perClass.map((entry) => `| ${cell(entry.label)} | ${fixed(entry.precision)} | ${fixed(entry.recall)} | ${fixed(entry.f1)} | ${entry.support} |`),
    '',
    ...(confusionMatrix
      ? [
          '## Confusion matrix',
          '',
          'Rows are the true class, columns the predicted class.',
          '',
          `| true ╲ predicted | ${labels.map(cell).join(' | ')} |`,
          `|:--|${labels.map(() => '--:').join('|')}|`,
          ...labels.map((label, row) => `| **${cell(label)}** | ${(confusionMatrix[row] ?? []).map((count, column) => (row === column ? `**${count}**` : String(count))).join(' | ')} |`),
        ]
      : [`Multi-label model: a label is predicted at probability ≥ ${evaluation.threshold ?? 0.5}; micro-F1 ${fixed(evaluation.microF1)}, and the accuracy above is exact-match (every label right).`]),
  ];
  if (badLines.count > 0) {
    lines.push(
      '',
      '## Skipped lines',
      '',
      `${badLines.count} line${badLines.count === 1 ? '' : 's'} could not be read and ${badLines.count === 1 ? 'was' : 'were'} skipped${badLines.count > badLines.lines.length ? ` (the first ${badLines.lines.length} are listed)` : ''}:`,
      '',
    );
    lines.push(...badLines.lines.map((bad) => `- \`${relative(bad.file)}:${bad.line}\` ${cell(bad.reason)}`));
  }
  return `${lines.join('\n')}\n`;
}
