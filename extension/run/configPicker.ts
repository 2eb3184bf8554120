// Which config a run command trains: the one given, the active editor's, or one picked from the workspace.
import * as vscode from 'vscode';
import { parseBoundedYaml } from '../../common/config/boundedYaml';
import { LANGUAGE_ID } from '../languageClient';

export const CONFIG_GLOB = '**/*.nlp.{yaml,yml}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.vscode-test/**}';

/** What a run command accepts, told from the config's text. */
export type ConfigKind = (config: ConfigSummary) => boolean;

export interface ConfigSummary {
  task?: unknown;
  name?: unknown;
  initFrom?: unknown;
}

export const isWord2VecPretraining: ConfigKind = (config) => config.task === 'word2vec' && config.initFrom === undefined;
export const isWord2VecContinuation: ConfigKind = (config) => config.task === 'word2vec' && config.initFrom !== undefined;
export const isClassification: ConfigKind = (config) => config.task === 'text-classification';
export const isAnyConfig: ConfigKind = () => true;

/** The few keys the picker needs; a config that does not parse still shows, so its errors can be seen. */
export function summarizeConfig(text: string): ConfigSummary {
  // the config language's bounded reader: a pasted run of `{` in some workspace config must not block the extension host
  const { value } = parseBoundedYaml(text);
  if (typeof value !== 'object' || value === null) return {};
  const config = value as Record<string, unknown>;
  const word2vec = config.word2vec as Record<string, unknown> | undefined;
  return { task: config.task, name: config.name, initFrom: typeof word2vec === 'object' && word2vec !== null ? word2vec.init_from : undefined };
}

/**
 * Resolves the config to run and saves it when it has unsaved edits (the run reads the file).
 * Undefined when the user cancelled the pick.
 */
export async function pickConfig(given: vscode.Uri | undefined, accepts: ConfigKind, purpose: string): Promise<vscode.Uri | undefined> {
  const uri = given ?? activeConfig(accepts) ?? (await pickFromWorkspace(accepts, purpose));
  if (!uri) return undefined;
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  return uri;
}

function activeConfig(accepts: ConfigKind): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== LANGUAGE_ID || document.uri.scheme !== 'file') return undefined;
  return accepts(summarizeConfig(document.getText())) ? document.uri : undefined;
}

async function pickFromWorkspace(accepts: ConfigKind, purpose: string): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, EXCLUDE_GLOB, 500);
  const items: (vscode.QuickPickItem & { uri: vscode.Uri })[] = [];
  for (const uri of found) {
    const summary = summarizeConfig(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    if (!accepts(summary)) continue;
    items.push({ label: vscode.workspace.asRelativePath(uri), description: typeof summary.name === 'string' ? summary.name : undefined, uri });
  }
  if (items.length === 0) {
    const create = 'New training config';
    const answer = await vscode.window.showWarningMessage(`No *.nlp.yaml config in this workspace can be used to ${purpose}.`, create);
    if (answer === create) await vscode.commands.executeCommand('nlpStudio.newConfig');
    return undefined;
  }
  items.sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title: `Config to ${purpose}`, placeHolder: 'Choose a *.nlp.yaml config' });
  return picked?.uri;
}
