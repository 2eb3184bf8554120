// Which model answers "Predict on selection": the models offered (each said for what it is), the
// user's pick, and no switch behind the user's back when another run finishes.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PredictionAnswer } from '../../../extension/commands/predictOnSelection';
import type { NlpStudioApi } from '../../../extension/extension';
import { findModels, type ModelInfo } from '../../../extension/models/modelCatalog';
import type { RunRecord } from '../../../extension/run/runSupervisor';
import { activateExtension, workspaceFile } from './helpers';

/** Runs the command on `config` and resolves once the run has ended. */
async function train(api: NlpStudioApi, command: string, config: string): Promise<RunRecord> {
  const run = await vscode.commands.executeCommand<RunRecord>(command, workspaceFile(config));
  assert.ok(run, `${command} started a run`);
  await new Promise<void>((resolve) => {
    const ended = (): boolean => run.status === 'completed' || run.status === 'stopped' || run.status === 'failed';
    if (ended()) return resolve();
    const subscription = api.runs.onDidChangeRun(() => {
      if (!ended()) return;
      subscription.dispose();
      resolve();
    });
  });
  assert.equal(run.status, 'completed', run.message);
  return run;
}

const described = (models: readonly ModelInfo[]): [string, string][] => models.map((model) => [path.basename(model.path), model.description]);

describe('the model for predictions', function () {
  this.timeout(180_000);
  let api: NlpStudioApi;
  let bert: RunRecord;
  let vectorClassifier: RunRecord;

  before(async () => {
    api = (await activateExtension()).exports as NlpStudioApi;
    bert = await train(api, 'nlpStudio.fineTuneModel', 'sentiment.nlp.yaml');
    vectorClassifier = await train(api, 'nlpStudio.fineTuneModel', 'valid.nlp.yaml');
  });

  it('offers each model that can answer a selection, by kind, and not a classifier\'s own vectors as word vectors', async () => {
    const vectors = await train(api, 'nlpStudio.pretrainWordVectors', 'vectors.nlp.yaml');
    const offered = await findModels(api.runs.allRuns, { kinds: ['classifier', 'vectors'] });
    const byFolder = new Map(described(offered));
    assert.equal(byFolder.get(path.basename(bert.runDir)), 'BERT classifier');
    assert.equal(byFolder.get(path.basename(vectorClassifier.runDir)), 'word-vector classifier');
    assert.equal(byFolder.get(path.basename(vectors.runDir)), 'word vectors', 'a word2vec run is offered once, as its folder');
    assert.ok(!offered.some((model) => model.path.startsWith(vectorClassifier.runDir + path.sep)), `nothing inside the classifier's folder: ${JSON.stringify(offered)}`);
    assert.ok(!offered.some((model) => model.path.startsWith(vectors.runDir + path.sep)), 'not the run\'s vectors files one by one');
    // The explorer may show a classifier's embedding layer, under its own name.
    const explorable = await findModels(api.runs.allRuns, { kinds: ['vectors'], classifierEmbeddings: true });
    const embeddings = explorable.find((model) => model.path === path.join(vectorClassifier.runDir, 'vectors.txt'));
    assert.equal(embeddings?.description, 'embeddings of the word-vector classifier valid-run');
  });

  it('answers with the model the user chose, also after a word2vec run finishes', async () => {
    const chosen = await vscode.commands.executeCommand<ModelInfo>('nlpStudio.selectPredictionModel', bert.runDir);
    assert.deepEqual([chosen?.name, chosen?.description], ['e2e-sentiment', 'BERT classifier']);
    await train(api, 'nlpStudio.pretrainWordVectors', 'vectors.nlp.yaml');
    const answer = await vscode.commands.executeCommand<PredictionAnswer | undefined>('nlpStudio.predictOnSelection', { text: 'i love this great film' });
    assert.equal(answer?.kind, 'classifier', 'no silent switch to the vectors just trained');
    assert.equal(answer.modelPath, bert.runDir);
    assert.equal(answer.modelDescription, 'BERT classifier');
    // A model given for one call answers that call only.
    const once = await vscode.commands.executeCommand<PredictionAnswer | undefined>('nlpStudio.predictOnSelection', { word: 'war', vectorsPath: api.runs.latestRun!.runDir });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(once?.kind, 'vectors');
    const again = await vscode.commands.executeCommand<PredictionAnswer | undefined>('nlpStudio.predictOnSelection', { text: 'a boring bad film' });
    assert.equal(again?.kind, 'classifier');
  });
});
