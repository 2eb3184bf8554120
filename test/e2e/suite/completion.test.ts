// Completion and hover from the schema, through VS Code's own provider commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { configSchema, type JsonSchema } from '../../../common/schema';
import { activateExtension, completionLabels, openWithCaret, workspaceFile } from './helpers';

const CLOSE_EDITOR = 'workbench.action.revertAndCloseActiveEditor';

function schemaAt(...path: string[]): JsonSchema {
  let node: JsonSchema | boolean | undefined = configSchema;
  for (const key of path) node = typeof node === 'object' ? node.properties?.[key] : undefined;
  assert.ok(typeof node === 'object', `schema has ${path.join('.')}`);
  return node;
}

describe('completion and hover', () => {
  before(activateExtension);
  afterEach(() => vscode.commands.executeCommand(CLOSE_EDITOR));

  it('offers training keys under training', async () => {
    const { document, position } = await openWithCaret('task: text-classification\nname: run\ntraining:\n  |\n');
    const labels = await completionLabels(document.uri, position);
    assert.ok(labels.includes('batch_size'), `batch_size among ${labels.join(', ')}`);
    assert.ok(!labels.includes('vector_size'), 'no word2vec keys under training');
  });

  it('offers learning_rate inside a stage', async () => {
    const { document, position } = await openWithCaret('task: text-classification\nname: run\ntraining:\n  stages:\n    - epochs: 1\n      |\n');
    const labels = await completionLabels(document.uri, position);
    assert.ok(labels.includes('learning_rate'), `learning_rate among ${labels.join(', ')}`);
    assert.ok(!labels.includes('epochs'), 'keys already present are not offered again');
  });

  it('shows the schema description on hover', async () => {
    const uri = workspaceFile('valid.nlp.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    const line = document.getText().split('\n').findIndex((text) => text.includes('batch_size'));
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf('batch_size') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    const description = schemaAt('training', 'batch_size').markdownDescription;
    assert.ok(description);
    assert.ok(text.includes(description), `hover "${text}" includes "${description}"`);
  });
});
