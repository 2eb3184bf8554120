// "NLP Studio: New training config" with arguments (the palette path is driven by run.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import templates from '../../../templates/index.json';
import { activateExtension, codeOf, waitForDiagnostics, workspaceFile } from './helpers';

/** Templates point at data and models the user still has to provide; anything else is a template bug. */
const EXPECTED_IN_A_FRESH_WORKSPACE = new Set(['missing-file', 'incomplete-model', 'hub-model']);

describe('new training config', () => {
  let extension: vscode.Extension<unknown>;
  before(async () => {
    extension = await activateExtension();
  });

  for (const template of templates) {
    it(`writes the ${template.id} template, opens it, and it is schema-valid`, async () => {
      const fileName = `args-${template.id}.nlp.yaml`;
      const uri = await vscode.commands.executeCommand<vscode.Uri>('nlpStudio.newConfig', { template: template.id, fileName });
      assert.equal(uri.toString(), workspaceFile(fileName).toString());

      const expected = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extension.extensionUri, 'templates', template.file));
      assert.deepEqual(await vscode.workspace.fs.readFile(uri), expected);
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.toString(), uri.toString());
      assert.equal(editor.document.languageId, 'nlp-config');

      const diagnostics = await waitForDiagnostics(uri);
      const unexpected = diagnostics.filter((d) => !EXPECTED_IN_A_FRESH_WORKSPACE.has(codeOf(d)));
      assert.deepEqual(unexpected.map((d) => `${codeOf(d)}: ${d.message}`), []);
    });
  }

  it('refuses a name that does not end with .nlp.yaml or already exists', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('nlpStudio.newConfig', { template: 'word2vec-pretrain', fileName: 'vectors.yaml' })),
      /must end with \.nlp\.yaml/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('nlpStudio.newConfig', { template: 'word2vec-pretrain', fileName: 'valid.nlp.yaml' })),
      /already exists/,
    );
  });
});
