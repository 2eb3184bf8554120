// The editor title's ▷ runs what the open config trains: a context key names the config's kind, and
// package.json shows the one run command whose `when` matches it.
import * as vscode from 'vscode';
import { LANGUAGE_ID } from '../languageClient';
import { isClassification, isWord2VecContinuation, isWord2VecPretraining, summarizeConfig, type ConfigKind } from './configPicker';

export const CONFIG_KIND_CONTEXT = 'nlpStudio.configKind';

/** Context value → which configs it names (package.json's editor/title/run `when` clauses use these values). */
const KINDS: readonly (readonly [string, ConfigKind])[] = [
  ['text-classification', isClassification],
  ['word2vec', isWord2VecPretraining],
  ['word2vec-continue', isWord2VecContinuation],
];

export function configKindOf(text: string): string | undefined {
  const summary = summarizeConfig(text);
  return KINDS.find(([, accepts]) => accepts(summary))?.[0];
}

export function trackActiveConfigKind(): vscode.Disposable {
  let shown: string | undefined;
  const update = (): void => {
    const document = vscode.window.activeTextEditor?.document;
    const kind = document?.languageId === LANGUAGE_ID ? configKindOf(document.getText()) : undefined;
    if (kind === shown) return;
    shown = kind;
    void vscode.commands.executeCommand('setContext', CONFIG_KIND_CONTEXT, kind ?? '');
  };
  update();
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document === vscode.window.activeTextEditor?.document) update();
    }),
  );
}
