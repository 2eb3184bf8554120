// Small questions about files, through VS Code's file system (so remote and virtual workspaces work too).
import * as vscode from 'vscode';

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Shows a file or folder: in the Explorer view when it is in the workspace, else in the system's file manager. */
export async function revealPath(path: string): Promise<void> {
  const uri = vscode.Uri.file(path);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  await vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
}
