// What the end-to-end suites share: the fixture workspace, waiting for diagnostics, caret-marked documents.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'nlp-studio.nlp-studio';

/** Activating resolves once the language client has started, so providers are registered. */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  await extension.activate();
  return extension;
}

export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace folder open');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/** Resolves with the diagnostics of `uri` once `accept` takes them; waits on onDidChangeDiagnostics. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean = (diagnostics) => diagnostics.length > 0,
  timeoutMs = 30_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const matches = (): vscode.Diagnostic[] | undefined => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      return accept(diagnostics) ? diagnostics : undefined;
    };
    const finish = (): void => {
      subscription.dispose();
      clearTimeout(deadline);
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (!event.uris.some((changed) => changed.toString() === uri.toString())) return;
      const diagnostics = matches();
      if (diagnostics) {
        finish();
        resolve(diagnostics);
      }
    });
    const deadline = setTimeout(() => {
      finish();
      reject(new Error(`No matching diagnostics for ${uri.toString()} within ${timeoutMs} ms; have ${JSON.stringify(vscode.languages.getDiagnostics(uri))}`));
    }, timeoutMs);
    const already = matches();
    if (already) {
      finish();
      resolve(already);
    }
  });
}

export const codeOf = (diagnostic: vscode.Diagnostic): string =>
  String(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code);

/** Opens an untitled nlp-config document; `|` in `text` marks the caret, which is returned. */
export async function openWithCaret(text: string): Promise<{ document: vscode.TextDocument; position: vscode.Position }> {
  const offset = text.indexOf('|');
  assert.ok(offset >= 0, 'mark the caret with |');
  const document = await vscode.workspace.openTextDocument({ language: 'nlp-config', content: text.slice(0, offset) + text.slice(offset + 1) });
  await vscode.window.showTextDocument(document);
  return { document, position: document.positionAt(offset) };
}

export async function completionLabels(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
  return list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
}
