// "Predict on selection" for word vectors: the nearest neighbours of the selected word, with cosines.
import * as vscode from 'vscode';
import { NeighboursRequest, type NeighboursResult } from '../../common/protocol/engine';
import type { Ctx } from '../ctx';
import { chooseVectors } from '../run/vectorsPicker';

const NEIGHBOURS = 15;

export interface PredictOnSelectionArgs {
  /** Skips the selection: the word to look up. */
  word?: string;
  /** Skips the choice of model: a run folder or a vectors file. */
  vectorsPath?: string;
}

/** The selected word, or the word under the caret; undefined (with a message) when there is none. */
function selectedWord(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const { document, selection } = editor;
  const range = selection.isEmpty ? document.getWordRangeAtPosition(selection.active) : selection;
  return range ? document.getText(range).trim() : undefined;
}

/** Resolves to the answer shown (for scripts and tests), or undefined when nothing was asked. */
export const predictOnSelection =
  (ctx: Ctx) =>
  async (args: PredictOnSelectionArgs = {}): Promise<(NeighboursResult & { word: string; vectorsPath: string }) | undefined> => {
    const word = args.word ?? selectedWord();
    if (!word) {
      void vscode.window.showInformationMessage('NLP Studio: select a word (or put the caret on one) to see its nearest neighbours.');
      return undefined;
    }
    if (/\s/.test(word)) {
      void vscode.window.showInformationMessage(`NLP Studio: word vectors answer for a single word; the selection "${word.slice(0, 40)}" has several.`);
      return undefined;
    }
    const vectorsPath = await chooseVectors(ctx, { given: args.vectorsPath });
    if (!vectorsPath) return undefined;
    const engine = ctx.runs.ensureEngine();
    const ask = (query: string) => engine.connection.sendRequest(NeighboursRequest, { vectorsPath, word: query, count: NEIGHBOURS });
    let query = word;
    let result = await ask(query);
    if (!result.inVocabulary && word.toLowerCase() !== word) {
      query = word.toLowerCase();
      result = await ask(query);
    }
    const source = vscode.workspace.asRelativePath(vectorsPath);
    if (!result.inVocabulary) {
      void vscode.window.showWarningMessage(`NLP Studio: "${word}" is out of vocabulary: ${source} has ${result.vocabularySize.toLocaleString()} words and not this one.`);
      return { ...result, word, vectorsPath };
    }
    void showNeighbours(ctx, query, source, vectorsPath, result);
    return { ...result, word: query, vectorsPath };
  };

/** A quick pick of neighbours; choosing one shows its own neighbours. */
async function showNeighbours(ctx: Ctx, word: string, source: string, vectorsPath: string, result: NeighboursResult): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    result.neighbours.map((neighbour) => ({ label: neighbour.word, description: `cosine ${neighbour.similarity.toFixed(3)}` })),
    { title: `Nearest neighbours of "${word}" in ${source} (${result.vocabularySize.toLocaleString()} words)`, placeHolder: 'Choose a word to see its neighbours' },
  );
  if (picked) await predictOnSelection(ctx)({ word: picked.label, vectorsPath });
}
