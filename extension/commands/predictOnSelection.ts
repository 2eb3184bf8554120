// "Predict on selection": with word vectors, the nearest neighbours of the selected word; with a text
// classifier, the label of the selected text shown after it, and every class's probability on hover;
// with a folder transformers.js runs, its pipeline's answer (pipelinePrediction.ts).
// The model is the one the user chose for predictions (status bar, "Select model for predictions").
import * as vscode from 'vscode';
import { ClassifierPredictRequest, NeighboursRequest, type NeighboursResult } from '../../common/protocol/engine';
import type { Ctx } from '../ctx';
import type { ModelInfo } from '../models/modelCatalog';
import { modelAt } from '../models/modelQuickPick';
import { predictWithPipeline, type PipelineAnswer, type PipelineRequestArgs } from './pipelinePrediction';
import { percent, predictionView } from './predictionView';
import { PREDICTION_KINDS, selectPredictionModel } from './selectPredictionModel';

const NEIGHBOURS = 15;
const COMMAND = 'nlpStudio.predictOnSelection';

export interface PredictOnSelectionArgs extends PipelineRequestArgs {
  /** Skips the selection for word vectors: the word to look up. */
  word?: string;
  /** Skips the selection for a classifier: the text to classify. */
  text?: string;
  /** This call only: a run folder, a model folder or a vectors file, instead of the model chosen for predictions. */
  modelPath?: string;
  /** The same as modelPath (the word-vectors name of it). */
  vectorsPath?: string;
  /** Asks which model to use from now on, then predicts with it. */
  chooseModel?: boolean;
}

export type NeighboursAnswer = NeighboursResult & {
  kind: 'vectors';
  word: string;
  vectorsPath: string;
};

export interface ClassificationAnswer {
  kind: 'classifier';
  text: string;
  modelPath: string;
  /** The model's name and what it is ("BERT classifier"), as the user's lists show it. */
  modelName: string;
  modelDescription: string;
  modelType: string;
  /** What computed it, as the engine says: "onnxruntime 1.30.0 (onnx/model.onnx)", "TensorFlow.js (wasm)". */
  runtime: string;
  /** The most probable class. */
  label: string;
  /** The model's classes, by id. */
  labels: string[];
  /** Every class's probability (they sum to 1, except for a multi-label model: each label its own). */
  probabilities: Record<string, number>;
  /** Multi-label models: the labels at or over the threshold (maybe none), and the threshold. */
  multiLabel?: { labels: string[]; threshold: number };
}

export type PredictionAnswer = NeighboursAnswer | ClassificationAnswer | PipelineAnswer;

/** The selection, or the word (vectors) or line (classifier) under the caret. */
function selected(kind: 'word' | 'text'): { text: string; editor: vscode.TextEditor; range: vscode.Range } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const { document, selection } = editor;
  const range = !selection.isEmpty ? selection : kind === 'word' ? document.getWordRangeAtPosition(selection.active) : document.lineAt(selection.active.line).range;
  const text = range ? document.getText(range).trim() : '';
  return range && text !== '' ? { text, editor, range } : undefined;
}

/** Resolves to the answer shown (for scripts and tests), or undefined when nothing was asked. */
export const predictOnSelection =
  (ctx: Ctx) =>
  async (args: PredictOnSelectionArgs = {}): Promise<PredictionAnswer | undefined> => {
    if (args.word === undefined && args.text === undefined && selected('text') === undefined) {
      void vscode.window.showInformationMessage('NLP Studio: select some text (or put the caret on a word or line) to predict on it.');
      return undefined;
    }
    const model = await modelFor(ctx, args);
    if (!model) return undefined;
    try {
      if (model.kind === 'pipeline') return await pipeline(ctx, model, args);
      return model.kind === 'classifier' ? await classify(ctx, model, args) : await neighbours(ctx, model, args);
    } catch (error) {
      void vscode.window.showErrorMessage(`NLP Studio: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };

/** The model given for this call, else the one chosen for predictions, else (or when asked to) one the user picks now. */
async function modelFor(ctx: Ctx, args: PredictOnSelectionArgs): Promise<ModelInfo | undefined> {
  const given = args.modelPath ?? args.vectorsPath;
  if (given !== undefined) return modelAt(given, { kinds: PREDICTION_KINDS, classifierEmbeddings: true });
  if (!args.chooseModel) {
    const chosen = await ctx.predictionModel.resolve();
    if (chosen) return chosen;
  }
  return selectPredictionModel(ctx)();
}

async function neighbours(ctx: Ctx, model: ModelInfo, args: PredictOnSelectionArgs): Promise<NeighboursAnswer | undefined> {
  const vectorsPath = model.path;
  const word = args.word ?? args.text ?? selected('word')?.text;
  if (!word) {
    void vscode.window.showInformationMessage('NLP Studio: select a word (or put the caret on one) to see its nearest neighbours.');
    return undefined;
  }
  if (/\s/.test(word)) {
    void vscode.window.showInformationMessage(`NLP Studio: word vectors answer for a single word; the selection "${word.slice(0, 40)}" has several.`);
    return undefined;
  }
  const engine = ctx.runs.ensureEngine();
  const ask = (query: string) =>
    engine.connection.sendRequest(NeighboursRequest, {
      vectorsPath,
      word: query,
      count: NEIGHBOURS,
    });
  let query = word;
  let result = await ask(query);
  if (!result.inVocabulary && word.toLowerCase() !== word) {
    query = word.toLowerCase();
    result = await ask(query);
  }
  const source = `${model.name} (${model.description})`;
  if (!result.inVocabulary) {
    void vscode.window.showWarningMessage(`NLP Studio: "${word}" is out of vocabulary: ${source} has ${result.vocabularySize.toLocaleString()} words and not this one.`);
    return { ...result, kind: 'vectors', word, vectorsPath };
  }
  void showNeighbours(ctx, query, source, vectorsPath, result);
  return { ...result, kind: 'vectors', word: query, vectorsPath };
}

/** A quick pick of neighbours; choosing one shows its own neighbours. */
async function showNeighbours(ctx: Ctx, word: string, source: string, vectorsPath: string, result: NeighboursResult): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    result.neighbours.map((neighbour) => ({
      label: neighbour.word,
      description: `cosine ${neighbour.similarity.toFixed(3)}`,
    })),
    {
      title: `Nearest neighbours of "${word}" in ${source} (${result.vocabularySize.toLocaleString()} words)`,
      placeHolder: 'Choose a word to see its neighbours',
    },
  );
  if (picked) await predictOnSelection(ctx)({ word: picked.label, vectorsPath });
}

async function pipeline(ctx: Ctx, model: ModelInfo, args: PredictOnSelectionArgs): Promise<PipelineAnswer | undefined> {
  const target = args.text === undefined && args.word === undefined ? selected('text') : undefined;
  const text = args.text ?? args.word ?? target?.text;
  if (!text) return undefined;
  return predictWithPipeline(ctx, model, text, target, args, (scores, answer) => {
    // Labels of a text (text or zero-shot classification) show as a classifier's do.
    const shown: ClassificationAnswer = {
      kind: 'classifier',
      text,
      modelPath: model.path,
      modelName: model.name,
      modelDescription: model.description,
      modelType: answer.task,
      runtime: answer.runtime,
      label: scores[0]?.label ?? '',
      labels: scores.map((score) => score.label),
      probabilities: Object.fromEntries(scores.map((score) => [score.label, score.score])),
    };
    show(ctx, target, shown);
  });
}

/** The label after the selection (or a message when the text did not come from the editor). */
function show(ctx: Ctx, target: ReturnType<typeof selected>, answer: ClassificationAnswer): void {
  const view = predictionView(answer);
  if (target) showClassification(ctx, target.editor, target.range, answer);
  else void vscode.window.showInformationMessage(`NLP Studio: ${view.headline} — ${view.rows.map((row) => `${row.label} ${row.percent}`).join(', ')}`);
}

async function classify(ctx: Ctx, model: ModelInfo, args: PredictOnSelectionArgs): Promise<ClassificationAnswer | undefined> {
  const modelPath = model.path;
  const target = args.text === undefined && args.word === undefined ? selected('text') : undefined;
  const text = args.text ?? args.word ?? target?.text;
  if (!text) return undefined;
  const engine = ctx.runs.ensureEngine();
  const result = await engine.connection.sendRequest(ClassifierPredictRequest, {
    modelPath,
    texts: [text],
  });
  const prediction = result.predictions[0];
  if (!prediction) throw new Error(`the engine gave no prediction for the text (model ${modelPath})`);
  const answer: ClassificationAnswer = {
    kind: 'classifier',
    text,
    modelPath,
    modelName: model.name,
    modelDescription: model.description,
    modelType: result.modelType,
    runtime: result.runtime,
    label: prediction.label,
    labels: result.labels,
    probabilities: Object.fromEntries(result.labels.map((label, i) => [label, prediction.probabilities[i] ?? 0])),
    ...(result.multiLabel ? { multiLabel: { labels: prediction.labels ?? [], threshold: result.multiLabel.threshold } } : {}),
  };
  show(ctx, target, answer);
  return answer;
}

/** A bar of `width` cells in eighths of a block, so close probabilities still look different. */
function bar(probability: number, width = 20): string {
  const eighths = Math.round(Math.min(1, Math.max(0, probability)) * width * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8] ?? '';
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

/** The hover: every class with its probability and a bar, then a link to predict with another model. */
export function classificationHover(answer: ClassificationAnswer): vscode.MarkdownString {
  const escape = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
  const view = predictionView(answer);
  const rows = view.rows.map((row) => {
    const name = row.predicted ? `**${escape(row.label)}**` : escape(row.label);
    return `| ${name} | ${row.percent} | \`${bar(row.probability) || ' '}\` |`;
  });
  const again = `command:${COMMAND}?${encodeURIComponent(JSON.stringify([{ chooseModel: true }]))}`;
  const markdown = new vscode.MarkdownString(
    [
      `**${escape(view.headline)}** · ${escape(answer.modelName)}, ${escape(answer.modelDescription)}${answer.multiLabel ? `, multi-label at ${percent(answer.multiLabel.threshold)}` : ''}`,
      '',
      '| class | probability | |',
      '|:--|--:|:--|',
      ...rows,
      '',
      `Computed by ${escape(answer.runtime)} · [Predict with another model…](${again})`,
    ].join('\n'),
  );
  markdown.isTrusted = { enabledCommands: [COMMAND] };
  return markdown;
}

interface Shown {
  readonly decoration: vscode.TextEditorDecorationType;
  readonly editors: Set<vscode.TextEditor>;
}
const shownByCtx = new WeakMap<Ctx, Shown>();

/** The label after the text (`spam 97.3%`), with the table on hover; gone when the document changes. */
function showClassification(ctx: Ctx, editor: vscode.TextEditor, range: vscode.Range, answer: ClassificationAnswer): void {
  let shown = shownByCtx.get(ctx);
  if (!shown) {
    const decoration = ctx.own(
      vscode.window.createTextEditorDecorationType({
        after: {
          margin: '0 0 0 1em',
          color: new vscode.ThemeColor('editorCodeLens.foreground'),
          fontStyle: 'italic',
        },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    const created: Shown = { decoration, editors: new Set() };
    ctx.own(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length === 0) return;
        for (const shownIn of [...created.editors]) {
          if (shownIn.document !== event.document) continue;
          shownIn.setDecorations(decoration, []);
          created.editors.delete(shownIn);
        }
      }),
    );
    shownByCtx.set(ctx, created);
    shown = created;
  }
  editor.setDecorations(shown.decoration, [
    {
      range,
      hoverMessage: classificationHover(answer),
      renderOptions: {
        after: {
          contentText: predictionView(answer).headline,
        },
      },
    },
  ]);
  shown.editors.add(editor);
}
