// A fine-tuned classifier used from the editor: "Predict on selection" on a real selection and
// "Evaluate model" on the validation file, through the real engine process.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClassifierEvaluation } from '../../../common/protocol/engine';
import type { ClassificationAnswer } from '../../../extension/commands/predictOnSelection';
import type { NlpStudioApi } from '../../../extension/extension';
import type { RunRecord } from '../../../extension/run/runSupervisor';
import { activateExtension, workspaceFile } from './helpers';

const SENTIMENT_RUN = 'e2e-sentiment';

/** Resolves once `run` has ended (at once when it already has). */
function runEnded(api: NlpStudioApi, run: RunRecord, timeoutMs = 150_000): Promise<RunRecord> {
  return new Promise((resolve, reject) => {
    const ended = (): boolean => run.status === 'completed' || run.status === 'stopped' || run.status === 'failed';
    if (ended()) return resolve(run);
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`${run.name} did not end within ${timeoutMs} ms; status ${run.status}`));
    }, timeoutMs);
    const subscription = api.runs.onDidChangeRun((changed) => {
      if (changed.runId !== run.runId || !ended()) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(run);
    });
  });
}

/** Selects `text` (which must occur once) in a fresh editor. */
async function selectInEditor(content: string, text: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content });
  const editor = await vscode.window.showTextDocument(document);
  const start = content.indexOf(text);
  assert.ok(start >= 0);
  editor.selection = new vscode.Selection(document.positionAt(start), document.positionAt(start + text.length));
  return editor;
}

const total = (probabilities: Record<string, number>): number => Object.values(probabilities).reduce((a, b) => a + b, 0);

describe('a fine-tuned classifier in the editor', function () {
  this.timeout(180_000);
  let api: NlpStudioApi;
  let run: RunRecord;

  before(async () => {
    api = (await activateExtension()).exports as NlpStudioApi;
    // The runs suite fine-tunes the tiny BERT; reuse its run, or fine-tune it here when run alone.
    const finished = api.runs.allRuns.filter((candidate) => candidate.name === SENTIMENT_RUN && candidate.status === 'completed').at(-1);
    run = finished ?? (await runEnded(api, await vscode.commands.executeCommand<RunRecord>('nlpStudio.fineTuneModel', workspaceFile('sentiment.nlp.yaml'))));
    assert.equal(run.status, 'completed', run.message);
  });

  it('predicts the label of the selected text with every class\'s probability', async () => {
    const editor = await selectInEditor('Notes on films.\nthis film was really great , i love it\nthe end\n', 'this film was really great , i love it');
    const positive = await vscode.commands.executeCommand<ClassificationAnswer | undefined>('nlpStudio.predictOnSelection', { modelPath: run.runDir });
    assert.ok(positive, 'the command resolves to its answer');
    assert.equal(positive.kind, 'classifier');
    assert.equal(positive.text, 'this film was really great , i love it');
    assert.deepEqual([...positive.labels].sort(), ['neg', 'pos']);
    assert.ok(positive.labels.includes(positive.label));
    assert.ok(Math.abs(total(positive.probabilities) - 1) < 1e-4, JSON.stringify(positive.probabilities));
    assert.equal(positive.label, Object.entries(positive.probabilities).sort((a, b) => b[1] - a[1])[0]![0]);
    assert.equal(vscode.window.activeTextEditor, editor, 'the editor keeps the focus');

    // Without a model argument, the model chosen for predictions answers.
    await vscode.commands.executeCommand('nlpStudio.selectPredictionModel', run.runDir);
    await selectInEditor('a boring film , i hate this bad plot\n', 'a boring film , i hate this bad plot');
    const negative = await vscode.commands.executeCommand<ClassificationAnswer | undefined>('nlpStudio.predictOnSelection');
    assert.ok(negative?.kind === 'classifier', JSON.stringify(negative));
    assert.equal(negative.modelPath, run.runDir);
    assert.ok(Math.abs(total(negative.probabilities) - 1) < 1e-4);
    assert.ok(negative.probabilities.pos! < positive.probabilities.pos!, `the negative text is less positive: ${JSON.stringify({ positive, negative })}`);
  });

  it('evaluates the model on a labelled file and shows the report', async () => {
    const dataPath = workspaceFile('data/sentiment-valid.csv').fsPath;
    const evaluation = await vscode.commands.executeCommand<ClassifierEvaluation | undefined>('nlpStudio.evaluateModel', { modelPath: run.runDir, dataPath });
    assert.ok(evaluation, 'the command resolves to the evaluation');
    assert.equal(evaluation.count, 60);
    assert.deepEqual([...evaluation.labels].sort(), ['neg', 'pos']);
    assert.ok(evaluation.accuracy >= 0.85, `accuracy ${evaluation.accuracy}`);
    assert.ok(evaluation.macroF1 > 0.8 && evaluation.macroF1 <= 1, `macro-F1 ${evaluation.macroF1}`);
    assert.ok(Number.isFinite(evaluation.loss));
    assert.equal(evaluation.confusionMatrix!.flat().reduce((a, b) => a + b, 0), 60);
    assert.equal(evaluation.perClass.reduce((sum, entry) => sum + entry.support, 0), 60);
    const report = vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'nlp-studio-evaluation');
    assert.ok(report, 'the report was opened');
    assert.match(report.getText(), /## Confusion matrix/);
  });
});
