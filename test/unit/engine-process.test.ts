// The engine process as the extension runs it: out/engine.js forked, JSON-RPC over Node IPC. Built with
// esbuild into a temporary folder (with its word2vec worker) so the test does not depend on `npm run build`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import { NeighboursRequest, ProjectionRequest, RunEventNotification, StartRunRequest, StopRunRequest } from '../../common/protocol/engine';
import type { RunEvent, RunFailed } from '../../common/protocol/runEvents';
import { startEngineProcess, type EngineProcess } from '../fixtures/engine/engineProcess';
import { buildWithWorker, makeTinyRun, type TinyRun } from '../fixtures/engine/tinyRun';

const outFolder = mkdtempSync(join(tmpdir(), 'nlp-studio-engine-out-'));
let engine: EngineProcess;
let connection: MessageConnection;
const events = new Map<string, RunEvent[]>();
const waiters: { runId: string; test: (event: RunEvent) => boolean; resolve: (event: RunEvent) => void }[] = [];
const projects: TinyRun[] = [];

/** Resolves with the first event of the run (already received or still to come) that passes `test`. */
function nextEvent(runId: string, test: (event: RunEvent) => boolean): Promise<RunEvent> {
  const seen = events.get(runId)?.find(test);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => waiters.push({ runId, test, resolve }));
}
const isEnd = (event: RunEvent): boolean => event.kind === 'finished' || event.kind === 'failed';

describe('engine process over JSON-RPC', () => {
  before(async () => {
    const entry = await buildWithWorker('engine/main.ts', outFolder, 'engine');
    engine = startEngineProcess(entry);
    connection = engine.connection;
    connection.onNotification(RunEventNotification, ({ runId, event }) => {
      events.set(runId, [...(events.get(runId) ?? []), event]);
      for (const waiter of [...waiters]) {
        if (waiter.runId === runId && waiter.test(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
  });
  after(async () => {
    await engine.stop();
    for (const project of projects) rmSync(project.dir, { recursive: true, force: true });
    rmSync(outFolder, { recursive: true, force: true });
  });

  it('starts a run, streams its events and writes the run folder', async () => {
    const project = makeTinyRun();
    projects.push(project);
    const answer = await connection.sendRequest(StartRunRequest, { configPath: project.config, runId: 'first' });
    assert.deepEqual(answer, { runId: 'first', runDir: project.runDir });
    const end = await nextEvent('first', isEnd);
    assert.equal(end.kind, 'finished', JSON.stringify(end));
    const kinds = new Set(events.get('first')!.map((event) => event.kind));
    for (const kind of ['started', 'epoch', 'checkpoint', 'log', 'finished']) assert.ok(kinds.has(kind as RunEvent['kind']), kind);
    for (const file of ['config.resolved.yaml', 'metrics.jsonl', 'summary.json', 'vectors.txt', 'vectors.bin', 'model/model.json', 'checkpoints']) {
      assert.ok(existsSync(join(project.runDir, file)), file);
    }
    const metrics = readFileSync(join(project.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
    assert.deepEqual(metrics.filter((m) => m.kind === 'epoch').map((m) => m.kind === 'epoch' && m.epoch), [1, 2, 3]);
    const summary = JSON.parse(readFileSync(join(project.runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(summary.status, 'completed');
    assert.equal(summary.vocabularySize, 20);
  });

  it('answers neighbours and a 2-D projection from a run folder', async () => {
    const runDir = projects[0]!.runDir;
    const near = await connection.sendRequest(NeighboursRequest, { vectorsPath: runDir, word: 'apple', count: 3 });
    assert.equal(near.inVocabulary, true);
    assert.equal(near.vocabularySize, 20);
    assert.equal(near.neighbours.length, 3);
    const missing = await connection.sendRequest(NeighboursRequest, { vectorsPath: join(runDir, 'vectors.txt'), word: 'zebra', count: 3 });
    assert.deepEqual(missing, { inVocabulary: false, neighbours: [], vocabularySize: 20 });
    const projection = await connection.sendRequest(ProjectionRequest, { vectorsPath: runDir, count: 12 });
    assert.equal(projection.words.length, 12);
    assert.equal(projection.coordinates.length, 24);
    assert.equal(projection.dimensions, 16);
    assert.ok(projection.explainedVariance[0] >= projection.explainedVariance[1] && projection.explainedVariance[1] > 0);
  });

  it('stops a run with a checkpoint, then resumes it to the end', async () => {
    const project = makeTinyRun({ lines: 5000 });
    projects.push(project);
    await connection.sendRequest(StartRunRequest, { configPath: project.config, runId: 'stopped' });
    await nextEvent('stopped', (event) => event.kind === 'started');
    await connection.sendRequest(StopRunRequest, { runId: 'stopped', mode: 'checkpoint' });
    const stopped = events.get('stopped')!;
    const end = stopped[stopped.length - 1]!;
    assert.equal(end.kind === 'finished' && end.status, 'stopped', JSON.stringify(end));
    const checkpoint = stopped.find((event) => event.kind === 'checkpoint');
    assert.ok(checkpoint?.kind === 'checkpoint' && existsSync(join(checkpoint.path, 'model.json')));
    assert.ok(!existsSync(join(project.runDir, 'vectors.txt')), 'a stopped run writes no model files');

    await connection.sendRequest(StartRunRequest, { configPath: project.config, runId: 'resumed', resume: true });
    const started = await nextEvent('resumed', (event) => event.kind === 'started');
    assert.ok(started.kind === 'started' && started.resumedFrom !== undefined);
    const resumedEnd = await nextEvent('resumed', isEnd);
    assert.equal(resumedEnd.kind === 'finished' && resumedEnd.status, 'completed', JSON.stringify(resumedEnd));
    assert.ok(existsSync(join(project.runDir, 'vectors.bin')));
  });

  it('resumes from an epoch checkpoint to the same vectors as an uninterrupted run (one thread)', async () => {
    const interrupted = makeTinyRun({ lines: 3000, epochs: 4 });
    const straight = makeTinyRun({ lines: 3000, epochs: 4 });
    projects.push(interrupted, straight);
    await connection.sendRequest(StartRunRequest, { configPath: interrupted.config, runId: 'epoch-stop' });
    await nextEvent('epoch-stop', (event) => event.kind === 'checkpoint');
    await connection.sendRequest(StopRunRequest, { runId: 'epoch-stop', mode: 'checkpoint' });
    const end = await nextEvent('epoch-stop', isEnd);
    assert.equal(end.kind === 'finished' && end.status, 'stopped', 'the stop arrived before the last epoch ended');
    await connection.sendRequest(StartRunRequest, { configPath: interrupted.config, runId: 'epoch-resumed', resume: true });
    const started = await nextEvent('epoch-resumed', (event) => event.kind === 'started');
    assert.ok(started.kind === 'started' && started.resumedFrom!.epoch >= 1);
    await nextEvent('epoch-resumed', isEnd);
    await connection.sendRequest(StartRunRequest, { configPath: straight.config, runId: 'straight' });
    await nextEvent('straight', isEnd);
    assert.ok(readFileSync(join(interrupted.runDir, 'vectors.bin')).equals(readFileSync(join(straight.runDir, 'vectors.bin'))));
    const epochs = readFileSync(join(interrupted.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RunEvent).filter((m) => m.kind === 'epoch');
    assert.deepEqual(epochs.map((m) => m.kind === 'epoch' && m.epoch), [1, 2, 3, 4], 'metrics.jsonl continues without repeats');
  });

  it('answers a config with errors with a ResponseError carrying the failed event and its location', async () => {
    const project = makeTinyRun({ extraConfig: 'learning_rate: 3' });
    projects.push(project);
    await assert.rejects(connection.sendRequest(StartRunRequest, { configPath: project.config, runId: 'bad' }), (error: unknown) => {
      assert.ok(error instanceof ResponseError);
      const failed = error.data as RunFailed;
      assert.equal(failed.kind, 'failed');
      assert.equal(failed.location?.line, 16);
      assert.match(failed.message, /word2vec\.nlp\.yaml:16:1: .*learning_rate/);
      return true;
    });
  });
});
