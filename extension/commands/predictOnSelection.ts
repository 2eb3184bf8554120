// "Predict on selection": with word vectors, the nearest neighbours of the selected word; with a text
// classifier, the label of the selected text shown after it, and every class's probability on hover.
import * as vscode from 'vscode';
import { ClassifierPredictRequest, NeighboursRequest, type NeighboursResult } from '../../common/protocol/engine';
import type { Ctx } from '../ctx';
import { chooseModel } from '../run/modelPicker';

const NEIGHBOURS = 15;
const COMMAND = 'nlpStudio.predictOnSelection';

export interface PredictOnSelectionArgs {
  /** Skips the selection for word vectors: the word to look up. */
  word?: string;
  /** Skips the selection for a classifier: the text to classify. */
  text?: string;
  /** Skips the choice of model: a run folder, a model folder or a vectors file. */
  modelPath?: string;
  /** The same as modelPath (the word-vectors name of it). */
  vectorsPath?: string;
  /** Asks which model to use even when one was chosen before. */
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
  modelType: string;
  /** The most probable class. */
  label: string;
  /** The model's classes, by id. */
  labels: string[];
  /** Every class's probability (they sum to 1, except for a multi-label model: each label its own). */
  probabilities: Record<string, number>;
  /** Multi-label models: the labels at or over the threshold (maybe none), and the threshold. */
  multiLabel?: { labels: string[]; threshold: number };
}

export type PredictionAnswer = NeighboursAnswer | ClassificationAnswer;

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
    const model = await chooseModel(ctx, {
      given: args.modelPath ?? args.vectorsPath,
      askAgain: args.chooseModel ?? false,
    });
    if (!model) return undefined;
    try {
      return model.kind === 'classifier' ? await classify(ctx, model.path, args) : await neighbours(ctx, model.path, args);
    } catch (error) {
      void vscode.window.showErrorMessage(`NLP Studio: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };

async function neighbours(ctx: Ctx, vectorsPath: string, args: PredictOnSelectionArgs): Promise<NeighboursAnswer | undefined> {
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
  const source = vscode.workspace.asRelativePath(vectorsPath);
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

async function classify(ctx: Ctx, modelPath: string, args: PredictOnSelectionArgs): Promise<ClassificationAnswer | undefined> {
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
    modelType: result.modelType,
    label: prediction.label,
    labels: result.labels,
    probabilities: Object.fromEntries(result.labels.map((label, i) => [label, prediction.probabilities[i] ?? 0])),
    ...(result.multiLabel ? { multiLabel: { labels: prediction.labels ?? [], threshold: result.multiLabel.threshold } } : {}),
  };
  if (target) showClassification(ctx, target.editor, target.range, answer);
  else void vscode.window.showInformationMessage(`NLP Studio: ${verdict(answer)} — ${summary(answer)}`);
  return answer;
}

const percent = (probability: number): string => `${(probability * 100).toFixed(1)}%`;

/** What the model says: `spam 97.3%`, or for a multi-label model every label over its threshold. */
function verdict(answer: ClassificationAnswer): string {
  const shown = (label: string): string => `${label} ${percent(answer.probabilities[label] ?? 0)}`;
  if (!answer.multiLabel) return shown(answer.label);
  return answer.multiLabel.labels.length > 0 ? answer.multiLabel.labels.map(shown).join(', ') : `no label ≥ ${percent(answer.multiLabel.threshold)}`;
}

const isPredicted = (answer: ClassificationAnswer, label: string): boolean => (answer.multiLabel ? answer.multiLabel.labels.includes(label) : label === answer.label);

/** The classes, most probable first. */
const ranked = (answer: ClassificationAnswer): [string, number][] => Object.entries(answer.probabilities).sort((a, b) => b[1] - a[1]);

const summary = (answer: ClassificationAnswer): string =>
  ranked(answer)
    .map(([label, probability]) => `${label} ${percent(probability)}`)
    .join(', ');

/** A bar of `width` cells in eighths of a block, so close probabilities still look different. */
function bar(probability: number, width = 20): string {
  const eighths = Math.round(Math.min(1, Math.max(0, probability)) * width * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8] ?? '';
  return '█'.repeat(Math.floor(eighths / 8)) + partial;
}

/** The hover: every class with its probability and a bar, then a link to predict with another model. */
export function classificationHover(answer: ClassificationAnswer): vscode.MarkdownString {
  const escape = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
  const rows = ranked(answer).map(([label, probability]) => {
    const name = isPredicted(answer, label) ? `**${escape(label)}**` : escape(label);
    return `| ${name} | ${percent(probability)} | \`${bar(probability) || ' '}\` |`;
  });
  const again = `command:${COMMAND}?${encodeURIComponent(JSON.stringify([{ chooseModel: true }]))}`;
  const markdown = new vscode.MarkdownString(
    [
      `**${escape(verdict(answer))}** · ${escape(vscode.workspace.asRelativePath(answer.modelPath))} (${escape(answer.modelType)}${answer.multiLabel ? `, multi-label at ${percent(answer.multiLabel.threshold)}` : ''})`,
      '',
      '| class | probability | |',
      '|:--|--:|:--|',
      ...rows,
      '',
      `[Predict with another model…](${again})`,
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
          contentText: verdict(answer),
        },
      },
    },
  ]);
  shown.editors.add(editor);
}
