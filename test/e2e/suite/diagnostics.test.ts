// Diagnostics of the fixture configs, as the editor receives them from the language server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeOf, waitForDiagnostics, workspaceFile } from './helpers';

describe('diagnostics', () => {
  before(activateExtension);

  it('reports an unknown key with a "Did you mean" suggestion on the key itself', async () => {
    const uri = workspaceFile('broken.nlp.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostics = await waitForDiagnostics(uri, (all) => all.some((d) => codeOf(d) === 'unknown-key'));

    const unknownKey = diagnostics.find((d) => codeOf(d) === 'unknown-key');
    assert.ok(unknownKey);
    assert.equal(unknownKey.source, 'nlp-studio');
    assert.match(unknownKey.message, /batch_sise/);
    assert.match(unknownKey.message, /Did you mean .*batch_size/i);
    const keyLine = document.getText().split('\n').findIndex((line) => line.includes('batch_sise'));
    const keyStart = new vscode.Position(keyLine, document.lineAt(keyLine).text.indexOf('batch_sise'));
    assert.deepEqual(unknownKey.range, new vscode.Range(keyStart, keyStart.translate(0, 'batch_sise'.length)));
  });

  it('reports a value outside its enum on the value', async () => {
    const uri = workspaceFile('broken.nlp.yaml');
    const diagnostics = await waitForDiagnostics(uri, (all) => all.some((d) => codeOf(d) === 'enum'));
    const badEnum = diagnostics.find((d) => codeOf(d) === 'enum');
    assert.ok(badEnum);
    assert.equal(badEnum.severity, vscode.DiagnosticSeverity.Error);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.equal(document.getText(badEnum.range), 'adamx');
    assert.match(badEnum.message, /adamw/);
  });

  it('reports nothing for a valid config', async () => {
    const valid = workspaceFile('valid.nlp.yaml');
    const broken = workspaceFile('broken.nlp.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(valid));
    // Touching the broken file after opening the valid one gives an ordered signal that the server has caught up.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(broken, new vscode.Position(0, 0), '# edited\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(broken, (all) => all.some((d) => d.range.start.line === 12 && codeOf(d) === 'enum'));
    assert.deepEqual(vscode.languages.getDiagnostics(valid), []);
    const brokenDocument = await vscode.workspace.openTextDocument(broken);
    await vscode.window.showTextDocument(brokenDocument);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
