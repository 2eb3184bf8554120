// A folder transformers.js runs, used from the editor: "Predict on selection" with the workspace's tiny
// token classifier (models/tiny-ner: config.json, tokenizer files, onnx/model.onnx only) marks the
// entities it finds in the selection, each where it is, through the real engine process.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PipelineAnswer } from '../../../extension/commands/pipelinePrediction';
import { describeModel } from '../../../extension/models/modelCatalog';
import { activateExtension, workspaceFile } from './helpers';

describe('a transformers.js token classifier in the editor', function () {
  this.timeout(120_000);
  before(() => activateExtension());

  it('is offered as a pipeline folder, and marks the entities of the selection where they are', async () => {
    const folder = workspaceFile('models/tiny-ner').fsPath;
    const model = await describeModel(folder);
    assert.equal(model?.kind, 'pipeline', JSON.stringify(model));
    assert.deepEqual(model.tasks, ['token-classification']);

    const content = 'Notes.\nhello world , the cat sat on the mat with a dog\nthe end\n';
    const selectedText = 'hello world , the cat sat on the mat with a dog';
    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content });
    const editor = await vscode.window.showTextDocument(document);
    const start = content.indexOf(selectedText);
    editor.selection = new vscode.Selection(document.positionAt(start), document.positionAt(start + selectedText.length));

    const answer = await vscode.commands.executeCommand<PipelineAnswer | undefined>('nlpStudio.predictOnSelection', { modelPath: folder });
    assert.ok(answer?.kind === 'pipeline', JSON.stringify(answer));
    assert.equal(answer.task, 'token-classification');
    assert.match(answer.runtime, /^transformers\.js \S+ on onnxruntime/);
    assert.ok(answer.output.task === 'token-classification');
    const { entities } = answer.output;
    assert.ok(entities.length > 0, 'the tiny model finds entities in this text');
    assert.equal(answer.marked?.length, entities.length);
    answer.marked?.forEach((mark, i) => {
      assert.equal(document.getText(mark.range), entities[i]!.text, 'each mark covers its entity in the document');
      assert.ok(['PER', 'LOC'].includes(mark.group));
      assert.ok(mark.range.start.line === 1, 'inside the selected line');
    });
  });
});
