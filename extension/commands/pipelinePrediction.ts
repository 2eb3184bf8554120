// "Predict on selection" with a folder transformers.js runs: the task from config.json (or picked once
// per folder), the engine's pipeline/run, and the answer in the editor — a token classifier's entities
// as coloured marks in the selection with a hover each, a fill-mask's best fill after the selection
// with the top fills on hover, a text or zero-shot classifier's labels as for the engine's classifiers.
import * as vscode from 'vscode';
import { PIPELINE_TASK_DESCRIPTIONS, type PipelineTask } from '../../common/huggingface/pipelineTasks';
import { PipelineRequest, type PipelineEntity, type PipelineOutput, type ScoredLabel } from '../../common/protocol/engine';
import type { Ctx } from '../ctx';
import type { ModelInfo } from '../models/modelCatalog';
import { percent } from './predictionView';

export interface PipelineAnswer {
  kind: 'pipeline';
  task: PipelineTask;
  text: string;
  modelPath: string;
  modelName: string;
  modelDescription: string;
  runtime: string;
  output: PipelineOutput;
  /** token-classification: each entity's place in the document, as it is marked. */
  marked?: { group: string; range: vscode.Range }[];
}

/** What `classify`'s display needs from a label answer (predictOnSelection.ts shows it). */
export type ShowScores = (scores: ScoredLabel[], answer: PipelineAnswer) => void;

const TASK_STATE = 'nlpStudio.pipelineTask';
const LABELS_STATE = 'nlpStudio.zeroShotLabels';
export const ZERO_SHOT_SETTING = 'nlpStudio.predictions.zeroShotLabels';

/** The task to run: given, the folder's only one, else the one picked (once per folder, remembered). */
async function taskFor(ctx: Ctx, model: ModelInfo, given: PipelineTask | undefined): Promise<PipelineTask | undefined> {
  const tasks = model.tasks ?? [];
  if (given !== undefined) return given;
  if (tasks.length === 1) return tasks[0];
  const remembered = ctx.extension.workspaceState.get<Record<string, PipelineTask>>(TASK_STATE, {});
  const known = remembered[model.path];
  if (known !== undefined && tasks.includes(known)) return known;
  const picked = await vscode.window.showQuickPick(
    tasks.map((task) => ({ label: task, description: PIPELINE_TASK_DESCRIPTIONS[task], task })),
    { title: `How should ${model.name} answer?`, placeHolder: 'Its config.json fits more than one pipeline; the choice is kept for this folder' },
  );
  if (picked) await ctx.extension.workspaceState.update(TASK_STATE, { ...remembered, [model.path]: picked.task });
  return picked?.task;
}

/** Zero-shot labels: given, else the setting, else asked once and kept for the workspace. */
async function candidateLabels(ctx: Ctx, given: string[] | undefined): Promise<string[] | undefined> {
  if (given !== undefined && given.length > 0) return given;
  const setting = vscode.workspace.getConfiguration().get<string[]>(ZERO_SHOT_SETTING, []).filter((label) => label.trim() !== '');
  if (setting.length > 0) return setting;
  const kept = ctx.extension.workspaceState.get<string[]>(LABELS_STATE);
  if (kept !== undefined && kept.length > 0) return kept;
  const typed = await vscode.window.showInputBox({
    title: 'Candidate labels for zero-shot classification',
    prompt: `Comma-separated labels to score the text against (kept for this workspace; the setting ${ZERO_SHOT_SETTING} overrides them)`,
    placeHolder: 'sports, politics, technology',
    validateInput: (value) => (value.split(',').some((label) => label.trim() !== '') ? undefined : 'Give at least one label'),
  });
  const labels = typed?.split(',').map((label) => label.trim()).filter((label) => label !== '');
  if (labels !== undefined && labels.length > 0) await ctx.extension.workspaceState.update(LABELS_STATE, labels);
  return labels;
}

export interface PipelineRequestArgs {
  task?: PipelineTask;
  candidateLabels?: string[];
  topK?: number;
}

/** Runs the pipeline on `text` and shows the answer at `target` (when the text came from the editor). */
export async function predictWithPipeline(
  ctx: Ctx,
  model: ModelInfo,
  text: string,
  target: { editor: vscode.TextEditor; range: vscode.Range } | undefined,
  args: PipelineRequestArgs,
  showScores: ShowScores,
): Promise<PipelineAnswer | undefined> {
  const task = await taskFor(ctx, model, args.task);
  if (task === undefined) return undefined;
  const labels = task === 'zero-shot-classification' ? await candidateLabels(ctx, args.candidateLabels) : undefined;
  if (task === 'zero-shot-classification' && labels === undefined) return undefined;
  const result = await ctx.runs.ensureEngine().connection.sendRequest(PipelineRequest, {
    modelPath: model.path,
    task,
    texts: [text],
    ...(labels ? { candidateLabels: labels } : {}),
    ...(args.topK ? { topK: args.topK } : {}),
  });
  const output = result.outputs[0];
  if (!output) throw new Error(`the engine gave no answer for the text (model ${model.path})`);
  const answer: PipelineAnswer = { kind: 'pipeline', task, text, modelPath: model.path, modelName: model.name, modelDescription: model.description, runtime: result.runtime, output };
  if (output.task === 'text-classification' || output.task === 'zero-shot-classification') showScores(output.scores, answer);
  else if (output.task === 'token-classification') answer.marked = target ? markEntities(ctx, target, output.entities, answer) : [];
  else if (target) showFills(ctx, target, output.fills, answer);
  if (!target && output.task !== 'text-classification' && output.task !== 'zero-shot-classification') void vscode.window.showInformationMessage(`NLP Studio: ${summary(output)}`);
  return answer;
}

function summary(output: PipelineOutput): string {
  if (output.task === 'token-classification') return output.entities.length === 0 ? 'no entities' : output.entities.map((entity) => `${entity.text} (${entity.group} ${percent(entity.score)})`).join(', ');
  if (output.task === 'fill-mask') return output.fills.map((fill) => `${fill.token} ${percent(fill.score)}`).join(', ');
  return output.scores.map((score) => `${score.label} ${percent(score.score)}`).join(', ');
}

const escape = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');

/** Entity colours, by the order groups first appear; translucent so the text stays readable in any theme. */
const ENTITY_COLOURS = ['rgba(230, 159, 0, 0.30)', 'rgba(86, 180, 233, 0.30)', 'rgba(0, 158, 115, 0.30)', 'rgba(204, 121, 167, 0.30)', 'rgba(240, 228, 66, 0.30)', 'rgba(213, 94, 0, 0.30)'];

interface Marks {
  readonly entityTypes: vscode.TextEditorDecorationType[];
  readonly after: vscode.TextEditorDecorationType;
  readonly editors: Set<vscode.TextEditor>;
}
const marksByCtx = new WeakMap<Ctx, Marks>();

/** The decoration types, made once per session; marks go when their document changes. */
function marks(ctx: Ctx): Marks {
  const existing = marksByCtx.get(ctx);
  if (existing) return existing;
  const entityTypes = ENTITY_COLOURS.map((backgroundColor) =>
    ctx.own(vscode.window.createTextEditorDecorationType({ backgroundColor, borderRadius: '3px', rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed })),
  );
  const after = ctx.own(
    vscode.window.createTextEditorDecorationType({
      after: { margin: '0 0 0 1em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  const created: Marks = { entityTypes, after, editors: new Set() };
  ctx.own(
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0) return;
      for (const editor of [...created.editors]) {
        if (editor.document !== event.document) continue;
        for (const type of [...entityTypes, after]) editor.setDecorations(type, []);
        created.editors.delete(editor);
      }
    }),
  );
  marksByCtx.set(ctx, created);
  return created;
}

function footer(answer: PipelineAnswer): string {
  return `${escape(answer.modelName)}, ${escape(answer.modelDescription)} · computed by ${escape(answer.runtime)}`;
}

/** Colours each entity in the selection, one colour per group, with its label and score on hover. */
function markEntities(ctx: Ctx, target: { editor: vscode.TextEditor; range: vscode.Range }, entities: readonly PipelineEntity[], answer: PipelineAnswer): { group: string; range: vscode.Range }[] {
  const { editor, range } = target;
  const { document } = editor;
  const raw = document.getText(range);
  const base = document.offsetAt(range.start) + (raw.length - raw.trimStart().length);
  const groups = [...new Set(entities.map((entity) => entity.group))];
  const { entityTypes } = marks(ctx);
  const byType = entityTypes.map(() => [] as vscode.DecorationOptions[]);
  const marked = entities.map((entity) => {
    const at = new vscode.Range(document.positionAt(base + entity.start), document.positionAt(base + entity.end));
    const hover = new vscode.MarkdownString(`**${escape(entity.group)}** ${percent(entity.score)} · “${escape(entity.text)}”\n\n${footer(answer)}`);
    byType[groups.indexOf(entity.group) % entityTypes.length]!.push({ range: at, hoverMessage: hover });
    return { group: entity.group, range: at };
  });
  entityTypes.forEach((type, i) => editor.setDecorations(type, byType[i]!));
  marks(ctx).editors.add(editor);
  if (entities.length === 0) void vscode.window.showInformationMessage(`NLP Studio: ${answer.modelName} found no entities in the selection.`);
  return marked;
}

/** The best fill after the selection, every fill on hover. */
function showFills(ctx: Ctx, target: { editor: vscode.TextEditor; range: vscode.Range }, fills: readonly { token: string; score: number; sequence: string }[], answer: PipelineAnswer): void {
  const best = fills[0];
  const rows = fills.map((fill) => `| ${escape(fill.token)} | ${percent(fill.score)} | ${escape(fill.sequence)} |`);
  const hover = new vscode.MarkdownString(['| fill | probability | text |', '|:--|--:|:--|', ...rows, '', footer(answer)].join('\n'));
  const { after, editors } = marks(ctx);
  target.editor.setDecorations(after, [{ range: target.range, hoverMessage: hover, renderOptions: { after: { contentText: best ? `→ ${best.token} ${percent(best.score)}` : 'no fill' } } }]);
  editors.add(target.editor);
}
