// `nlp-studio train` as users run it: the bundled CLI (with its word2vec worker) spawned on a small
// project; checked by its output, the run folder and its exit codes, Ctrl+C and --resume included.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../common/protocol/runEvents';
import { buildWithWorker, makeTinyRun, type TinyRun } from '../fixtures/engine/tinyRun';

const outFolder = mkdtempSync(join(tmpdir(), 'nlp-studio-train-cli-'));
let cli: string;
const projects: TinyRun[] = [];

function project(options?: Parameters<typeof makeTinyRun>[0]): TinyRun {
  const made = makeTinyRun(options);
  projects.push(made);
  return made;
}

function run(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const jsonLines = (text: string): RunEvent[] => text.trimEnd().split('\n').map((line) => JSON.parse(line) as RunEvent);

describe('nlp-studio train', () => {
  before(async () => {
    cli = await buildWithWorker('engine/cli.ts', outFolder, 'cli');
  });
  after(() => {
    for (const made of projects) rmSync(made.dir, { recursive: true, force: true });
    rmSync(outFolder, { recursive: true, force: true });
  });

  it('trains, printing progress and a summary with neighbours and file paths on stderr', () => {
    const { dir, runDir } = project();
    const result = run(['train', 'word2vec.nlp.yaml'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Training tiny \(word2vec\): 3 epochs, [\d,]+ words in all → runs\/tiny$/m);
    assert.match(result.stderr, /^epoch 3\/3 done: loss \d+\.\d{4}$/m);
    assert.match(result.stderr, /^Finished in \d+:\d\d: 3 epochs, vocabulary 20 words, [\d,]+ words\/s, final loss \d+\.\d{4}\.$/m);
    assert.match(result.stderr, /^Nearest neighbours:\n {2}apple {2}\w+ [\d.-]+,/m);
    assert.match(result.stderr, /^ {2}runs\/tiny\/vectors\.txt$/m);
    assert.doesNotMatch(result.stderr, /\r/, 'no in-place rewriting when stderr is not a terminal');
    for (const file of ['vectors.txt', 'vectors.bin', 'summary.json', 'metrics.jsonl', 'config.resolved.yaml']) assert.ok(existsSync(join(runDir, file)), file);
  });

  it('prints every event as one JSON line with --json, ending with finished', () => {
    const { dir } = project();
    const result = run(['train', '--json', 'word2vec.nlp.yaml'], dir);
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout);
    assert.equal(events[0]?.kind === 'log' || events[0]?.kind === 'started', true);
    assert.deepEqual(events.filter((e) => e.kind === 'epoch').map((e) => e.kind === 'epoch' && e.epoch), [1, 2, 3]);
    const end = events[events.length - 1]!;
    assert.equal(end.kind === 'finished' && end.status, 'completed');
  });

  it('exits 2 on usage errors and 1 with file:line:col on config errors', () => {
    const { dir } = project({ extraConfig: 'lerning_rate: 3' });
    assert.equal(run(['train'], dir).code, 2);
    assert.equal(run(['train', 'missing.nlp.yaml'], dir).code, 2);
    assert.equal(run(['train', '--bogus', 'word2vec.nlp.yaml'], dir).code, 2);
    const bad = run(['train', 'word2vec.nlp.yaml'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /word2vec\.nlp\.yaml:16:1: Unknown key "lerning_rate"/);
    assert.match(run(['--help'], dir).stdout, /nlp-studio train <config\.nlp\.yaml> \[--json\] \[--resume \| --fresh\]/);
  });

  it('stops with a checkpoint on Ctrl+C (exit 130), and --resume finishes the run', async () => {
    const { dir, runDir } = project({ lines: 5000 });
    const child = spawn(process.execPath, [cli, 'train', '--json', 'word2vec.nlp.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: RunEvent[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line) as RunEvent;
      events.push(event);
      if (event.kind === 'started') child.kill('SIGINT');
    }
    assert.equal(await exited, 130);
    const end = events[events.length - 1]!;
    assert.equal(end.kind === 'finished' && end.status, 'stopped');
    assert.ok(events.some((event) => event.kind === 'checkpoint'));
    assert.ok(!existsSync(join(runDir, 'vectors.txt')));

    const resumed = run(['train', '--json', '--resume', 'word2vec.nlp.yaml'], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    const resumedEvents = jsonLines(resumed.stdout);
    const started = resumedEvents.find((event) => event.kind === 'started');
    assert.deepEqual(started?.kind === 'started' && started.resumedFrom?.epoch, 0);
    assert.ok(existsSync(join(runDir, 'vectors.txt')));
  });

  it('fails clearly when there is nothing to resume', () => {
    const { dir } = project();
    const result = run(['train', '--resume', 'word2vec.nlp.yaml'], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nothing to resume: .*checkpoints holds no checkpoint/);
  });

  it('refuses to start over on an unfinished run\'s checkpoints without --fresh, and says how to go on', async () => {
    const { dir, runDir } = project({ lines: 5000 });
    const child = spawn(process.execPath, [cli, 'train', '--json', 'word2vec.nlp.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for await (const line of createInterface({ input: child.stdout })) if ((JSON.parse(line) as RunEvent).kind === 'started') child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal((JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { model: string }).model, 'none');

    const refused = run(['train', 'word2vec.nlp.yaml'], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds the checkpoint of a run that did not complete \(after epoch 0\); starting over would delete it\. Continue it with: nlp-studio train .*word2vec\.nlp\.yaml --resume, or discard it and start afresh with --fresh/);
    assert.ok(readdirSync(join(runDir, 'checkpoints')).some((name) => name.endsWith('.json')), 'the checkpoint is kept');
    assert.equal(run(['train', '--resume', '--fresh', 'word2vec.nlp.yaml'], dir).code, 1);

    const fresh = run(['train', '--fresh', 'word2vec.nlp.yaml'], dir);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal((JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { model: string }).model, 'this run');
  });

  it('refuses a second run on a folder in use, naming the process and config that hold it', async () => {
    const { dir, runDir } = project({ lines: 5000, epochs: 500 }); // runs until stopped
    const child = spawn(process.execPath, [cli, 'train', '--json', 'word2vec.nlp.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let second: Promise<{ code: number | null; stderr: string }> | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      if ((JSON.parse(line) as RunEvent).kind !== 'started' || second) continue;
      const other = spawn(process.execPath, [cli, 'train', 'word2vec.nlp.yaml'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      other.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      second = new Promise((resolve) => other.once('exit', (code) => resolve({ code, stderr })));
      void second.then(() => child.kill('SIGINT'));
    }
    assert.equal(await exited, 130);
    const refused = await second!;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another run: process ${child.pid}, training .*word2vec\\.nlp\\.yaml since`));
  });

  it('refuses a run folder that is a symbolic link, leaving its target alone', () => {
    const { dir, runDir } = project();
    const target = join(dir, 'elsewhere');
    mkdirSync(target);
    writeFileSync(join(target, 'precious.txt'), 'keep me');
    mkdirSync(join(dir, 'runs'));
    symlinkSync(target, runDir);
    const result = run(['train', 'word2vec.nlp.yaml'], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /runs\/tiny \(the run folder\) is a symbolic link; a run writes and deletes files in its folder/);
    assert.deepEqual(readdirSync(target), ['precious.txt']);
  });
});
