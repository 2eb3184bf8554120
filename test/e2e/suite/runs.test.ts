// Word2vec runs from the commands, in the real extension host and the real engine process.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../../common/protocol/runEvents';
import type { NlpStudioApi } from '../../../extension/extension';
import type { RunRecord } from '../../../extension/run/runSupervisor';
import { activateExtension, workspaceFile } from './helpers';

type Predicted = { inVocabulary: boolean; word: string; neighbours: { word: string; similarity: number }[]; vocabularySize: number } | undefined;

/** Resolves with the first event of `run` that `accept` takes (or one already recorded). */
function waitForEvent(api: NlpStudioApi, run: RunRecord, accept: (event: RunEvent) => boolean, timeoutMs = 120_000): Promise<RunEvent> {
  return new Promise((resolve, reject) => {
    const seen = run.events.find(accept);
    if (seen) return resolve(seen);
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no matching event for ${run.name} within ${timeoutMs} ms; status ${run.status}, last ${JSON.stringify(run.events.at(-1))}`));
    }, timeoutMs);
    const subscription = api.runs.onRunEvent(({ run: changed, event }) => {
      if (changed.runId !== run.runId || !accept(event)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(event);
    });
  });
}

const isEnd = (event: RunEvent): boolean => event.kind === 'finished' || event.kind === 'failed';

describe('word2vec runs', () => {
  let api: NlpStudioApi;
  before(async () => {
    api = (await activateExtension()).exports as NlpStudioApi;
  });

  it('pretrains word vectors from the command and writes the run folder', async () => {
    const config = workspaceFile('vectors.nlp.yaml');
    const run = await vscode.commands.executeCommand<RunRecord>('nlpStudio.pretrainWordVectors', config);
    assert.ok(run, 'the command returns the run it started');
    const end = await waitForEvent(api, run, isEnd);
    assert.equal(end.kind, 'finished', JSON.stringify(end));
    assert.equal(run.status, 'completed');
    const steps = run.events.filter((event) => event.kind === 'step');
    assert.ok(steps.length > 0, 'progress was streamed');
    const epochs = run.events.filter((event) => event.kind === 'epoch');
    assert.equal(epochs.length, 3);
    for (const file of ['vectors.txt', 'vectors.bin', 'summary.json', 'metrics.jsonl', 'config.resolved.yaml']) {
      assert.ok(existsSync(join(run.runDir, file)), `${file} in ${run.runDir}`);
    }
    const [count, dimensions] = readFileSync(join(run.runDir, 'vectors.txt'), 'utf8').split('\n', 1)[0]!.split(' ').map(Number);
    assert.equal(dimensions, 32);
    assert.ok(count! > 100, `a real vocabulary, got ${count}`);
  });

  it('shows the neighbours of a word in the trained vectors, and says when a word is out of vocabulary', async () => {
    const run = api.runs.latestRun;
    assert.ok(run);
    const known = await vscode.commands.executeCommand<Predicted>('nlpStudio.predictOnSelection', { word: 'War', vectorsPath: run.runDir });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(known?.inVocabulary);
    assert.equal(known.word, 'war', 'falls back to the lowercased word the vectors were trained on');
    assert.equal(known.neighbours.length, 15);
    assert.ok(known.neighbours.every((neighbour) => neighbour.word !== 'war' && neighbour.similarity <= 1));
    const unknown = await vscode.commands.executeCommand<Predicted>('nlpStudio.predictOnSelection', { word: 'qwertyuiop', vectorsPath: run.runDir });
    assert.equal(unknown?.inVocabulary, false);
    assert.equal(unknown.vocabularySize, known.vocabularySize);
  });

  it('stops a run with a checkpoint, then resumes it to the end', async () => {
    const config = workspaceFile('long-vectors.nlp.yaml');
    const run = await vscode.commands.executeCommand<RunRecord>('nlpStudio.pretrainWordVectors', config);
    assert.ok(run);
    await waitForEvent(api, run, (event) => event.kind === 'epoch');
    await vscode.commands.executeCommand('nlpStudio.stopRun');
    const end = await waitForEvent(api, run, isEnd);
    assert.deepEqual({ kind: end.kind, status: end.kind === 'finished' ? end.status : undefined }, { kind: 'finished', status: 'stopped' });
    assert.ok(run.events.some((event) => event.kind === 'checkpoint'), 'a checkpoint was saved before stopping');

    const resumed = await vscode.commands.executeCommand<RunRecord>('nlpStudio.resumeRun', config);
    assert.ok(resumed);
    const started = await waitForEvent(api, resumed, (event) => event.kind === 'started');
    assert.ok(started.kind === 'started' && started.resumedFrom, 'the run says where it resumes from');
    const resumedEnd = await waitForEvent(api, resumed, isEnd);
    assert.equal(resumedEnd.kind === 'finished' && resumedEnd.status, 'completed', JSON.stringify(resumedEnd));
  });

  it('continues training the vectors on new text, growing the vocabulary', async () => {
    const config = workspaceFile('continue-vectors.nlp.yaml');
    const run = await vscode.commands.executeCommand<RunRecord>('nlpStudio.continueTrainingWordVectors', config);
    assert.ok(run);
    const end = await waitForEvent(api, run, isEnd);
    assert.equal(end.kind === 'finished' && end.status, 'completed', JSON.stringify(end));
    const vocabulary = (dir: string): number => Number(readFileSync(join(dir, 'vectors.txt'), 'utf8').split(' ', 1)[0]);
    const first = api.runs.allRuns.find((candidate) => candidate.name === 'e2e-vectors');
    assert.ok(first);
    assert.ok(vocabulary(run.runDir) > vocabulary(first.runDir), 'new words joined the vocabulary');
  });

  it('marks the run failed with the reason when the engine dies, and the next run works', async () => {
    const run = await vscode.commands.executeCommand<RunRecord>('nlpStudio.pretrainWordVectors', workspaceFile('long-vectors.nlp.yaml'));
    assert.ok(run);
    await waitForEvent(api, run, (event) => event.kind === 'step');
    const pid = api.runs.enginePid;
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    const end = await waitForEvent(api, run, isEnd);
    assert.equal(end.kind, 'failed');
    assert.match(end.kind === 'failed' ? end.message : '', /engine process exited \(SIGKILL\)/);
    assert.equal(run.status, 'failed');

    const next = await vscode.commands.executeCommand<RunRecord>('nlpStudio.pretrainWordVectors', workspaceFile('vectors.nlp.yaml'));
    assert.ok(next);
    assert.equal((await waitForEvent(api, next, isEnd)).kind, 'finished');
  });

  it('refuses to start a run on a config with errors, naming the file and line', async () => {
    const config = workspaceFile('broken-vectors.nlp.yaml');
    await assert.rejects(api.runs.start({ configPath: config.fsPath }), (error: Error) => {
      assert.match(error.message, /broken-vectors\.nlp\.yaml:5:\d+/);
      assert.match(error.message, /no-such-corpus\.txt/);
      return true;
    });
    assert.equal(api.runs.activeRun, undefined);
  });

  it('fine-tunes a BERT classifier with the staged schedule and writes a Hugging Face folder', async () => {
    const run = await vscode.commands.executeCommand<RunRecord>('nlpStudio.fineTuneModel', workspaceFile('sentiment.nlp.yaml'));
    assert.ok(run);
    const end = await waitForEvent(api, run, isEnd);
    assert.equal(end.kind === 'finished' && end.status, 'completed', JSON.stringify(end));
    const stages = run.events.filter((event) => event.kind === 'stage').map((event) => event.kind === 'stage' && event.name);
    assert.deepEqual(stages, ['head', 'all']);
    const config = JSON.parse(readFileSync(join(run.runDir, 'config.json'), 'utf8')) as { id2label: Record<string, string> };
    assert.deepEqual(Object.values(config.id2label).sort(), ['neg', 'pos']);
    assert.ok(existsSync(join(run.runDir, 'model.safetensors')));
    const lastEpoch = run.events.filter((event) => event.kind === 'epoch').at(-1);
    assert.ok(lastEpoch?.kind === 'epoch' && lastEpoch.validation && lastEpoch.validation.accuracy >= 0.85, JSON.stringify(lastEpoch));
  });
});
