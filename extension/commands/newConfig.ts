// "NLP Studio: New training config": writes a commented template into the workspace and opens it.
import * as vscode from 'vscode';
import templates from '../../templates/index.json';
import type { Ctx } from '../ctx';
import { LANGUAGE_ID } from '../languageClient';
import { exists } from '../workspaceFiles';

export interface ConfigTemplate {
  id: string;
  label: string;
  description: string;
  detail: string;
  /** File name inside templates/. */
  file: string;
}

/** Arguments that skip the UI (scripts, keybindings, tests): `executeCommand('nlpStudio.newConfig', { template, fileName })`. */
export interface NewConfigArgs {
  template?: string;
  /** Relative to the workspace folder; must end with `.nlp.yaml`. */
  fileName?: string;
}

export const CONFIG_TEMPLATES: readonly ConfigTemplate[] = templates;
const CONFIG_SUFFIX = '.nlp.yaml';

/** Returns the editor's document: a new file in the workspace, or an untitled one when no folder is open. */
export const newConfig =
  (ctx: Ctx) =>
  async (args?: NewConfigArgs): Promise<vscode.Uri | undefined> => {
    const template = args?.template !== undefined ? templateById(args.template) : await pickTemplate();
    if (!template) return undefined;
    const content = await readTemplate(ctx, template);

    const folder = targetFolder();
    if (!folder) {
      const document = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content });
      await vscode.window.showTextDocument(document);
      return document.uri;
    }

    const fileName = (args?.fileName ?? (await askFileName(folder, template)))?.trim();
    if (fileName === undefined) return undefined;
    const problem = await fileNameProblem(folder, fileName);
    if (problem) throw new Error(problem);

    const uri = vscode.Uri.joinPath(folder.uri, fileName);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
    await vscode.window.showTextDocument(uri);
    return uri;
  };

function templateById(id: string): ConfigTemplate {
  const template = CONFIG_TEMPLATES.find((candidate) => candidate.id === id);
  if (!template) throw new Error(`Unknown config template "${id}". Known: ${CONFIG_TEMPLATES.map((t) => t.id).join(', ')}.`);
  return template;
}

async function pickTemplate(): Promise<ConfigTemplate | undefined> {
  const picked = await vscode.window.showQuickPick(
    CONFIG_TEMPLATES.map((template) => ({ label: template.label, description: template.description, detail: template.detail, template })),
    { title: 'New training config', placeHolder: 'Choose what the config trains', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.template;
}

async function readTemplate(ctx: Ctx, template: ConfigTemplate): Promise<string> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ctx.extensionUri, 'templates', template.file));
  return new TextDecoder().decode(bytes);
}

/** The folder of the active editor's file, else the first workspace folder. */
function targetFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

async function askFileName(folder: vscode.WorkspaceFolder, template: ConfigTemplate): Promise<string | undefined> {
  const suggested = await firstFreeName(folder, template.id);
  return vscode.window.showInputBox({
    title: 'New training config',
    prompt: `File name, relative to ${folder.name}`,
    value: suggested,
    valueSelection: [0, suggested.length - CONFIG_SUFFIX.length],
    validateInput: (value) => fileNameProblem(folder, value),
  });
}

/** `<id>.nlp.yaml`, or `<id>-2.nlp.yaml`, … when that file already exists. */
async function firstFreeName(folder: vscode.WorkspaceFolder, stem: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}${CONFIG_SUFFIX}` : `${stem}-${n}${CONFIG_SUFFIX}`;
    if (!(await exists(vscode.Uri.joinPath(folder.uri, name)))) return name;
  }
}

/** Why a file name cannot be used, or undefined when it can. */
async function fileNameProblem(folder: vscode.WorkspaceFolder, value: string): Promise<string | undefined> {
  const name = value.trim();
  if (!name.endsWith(CONFIG_SUFFIX) || name.length === CONFIG_SUFFIX.length) return `The name must end with ${CONFIG_SUFFIX}, e.g. my-run${CONFIG_SUFFIX}.`;
  if (name.startsWith('/') || name.split(/[\\/]/).includes('..')) return 'Use a path inside the workspace folder.';
  if (await exists(vscode.Uri.joinPath(folder.uri, name))) return `${name} already exists.`;
  return undefined;
}
