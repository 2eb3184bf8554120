// Which trained word vectors "Predict on selection" and "Explore embeddings" use: the one given, the one
// chosen before, the latest word2vec run, or one picked from the vectors files in the workspace.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { exists } from '../workspaceFiles';

const REMEMBERED_KEY = 'nlpStudio.vectorsPath';
const VECTORS_GLOB = '**/vectors.{bin,txt}';

/** A run folder or vectors file; undefined when the user cancelled. */
export async function chooseVectors(ctx: Ctx, options: { given?: string; askAgain?: boolean } = {}): Promise<string | undefined> {
  if (options.given) return remember(ctx, options.given);
  if (!options.askAgain) {
    const remembered = ctx.extension.workspaceState.get<string>(REMEMBERED_KEY);
    if (remembered && (await exists(vscode.Uri.file(remembered)))) return remembered;
    const latest = ctx.runs.allRuns.filter((run) => run.task === 'word2vec' && run.status === 'completed').at(-1);
    if (latest) return remember(ctx, latest.runDir);
  }
  const found = await vscode.workspace.findFiles(VECTORS_GLOB, '**/{node_modules,checkpoints}/**', 200);
  const browse = { label: '$(folder-opened) Browse…', description: 'a word2vec .txt or .bin file', path: '' };
  const items = [
    ...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), description: undefined, path: uri.fsPath })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Word vectors to use', placeHolder: 'Choose trained vectors (vectors.bin / vectors.txt)' });
  if (!picked) return undefined;
  if (picked !== browse) return remember(ctx, picked.path);
  const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use these vectors', filters: { 'word2vec vectors': ['bin', 'txt', 'vec'] } });
  return files?.[0] ? remember(ctx, files[0].fsPath) : undefined;
}

async function remember(ctx: Ctx, path: string): Promise<string> {
  await ctx.extension.workspaceState.update(REMEMBERED_KEY, path);
  return path;
}
