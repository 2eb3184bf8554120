// `nlp-studio predict` and `nlp-studio eval` on a classifier as users run them (the CLI bundled by
// esbuild, spawned), and the engine process answering `classifier/predict` and `classifier/evaluate`
// over JSON-RPC, on the committed tiny BERT.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build, type BuildOptions } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from '../fixtures/engine/bundleOptions';
import { ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import { ClassifierEvaluateRequest, ClassifierPredictRequest, type ClassifierEvaluation, type DataErrorLocation } from '../../common/protocol/engine';
import type { PredictLine } from '../../engine/cli/predictCommand';
import { loadTextClassifier } from '../../engine/models/textClassifier';
import { startEngineProcess, type EngineProcess } from '../fixtures/engine/engineProcess';
import { TINY_LABELS } from '../fixtures/models/tinyBert';

const root = resolve(__dirname, '../..');
const MODEL = join(root, 'test/fixtures/models/tiny-bert');
const folder = mkdtempSync(join(tmpdir(), 'nlp-studio-predict-cli-'));
const cli = join(folder, 'cli.js');
// The bundles sit outside the repository, where no node_modules can be found: they must carry everything they load.
const env = { ...process.env, NODE_PATH: '' };

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: folder, encoding: 'utf8', env, ...(input === undefined ? {} : { input }) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const jsonLines = <T>(text: string): T[] =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as T);

const LABELLED = ['text,label', 'this movie is great,positive', 'bad film,negative', 'it is a book,neutral', 'a broken line,', 'i love it,positive', 'boring boring,negative'].join('\n') + '\n';

describe('nlp-studio predict and eval on a classifier', () => {
  before(async () => {
    // As esbuild.mjs bundles the CLI and the engine, with the WebAssembly binaries beside them.
    const options: BuildOptions = {
      ...NODE_BUNDLE_OPTIONS,
      define: { 'import.meta.url': '__bundleUrl' },
      banner: { js: "const __bundleUrl = require('url').pathToFileURL(__filename).href;" },
    };
    await Promise.all([
      build({ ...options, entryPoints: [join(root, 'engine/cli.ts')], outfile: cli }),
      build({ ...options, entryPoints: [join(root, 'engine/main.ts')], outfile: join(folder, 'engine.js') }),
    ]);
    const wasm = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    for (const file of ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm']) copyFileSync(join(wasm, file), join(folder, file));
    writeFileSync(join(folder, 'labelled.csv'), LABELLED);
    writeFileSync(join(folder, 'texts.txt'), 'this movie is great\n\nbad film\n');
    writeFileSync(join(folder, 'unknown-label.csv'), 'text,label\ngood,positive\nmeh,mixed\n');
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('prints one JSON line per text given as arguments, with every class and the same probabilities as in-process', async () => {
    const { code, stdout, stderr } = run(['predict', MODEL, 'this movie is great', 'bad']);
    assert.equal(code, 0, stderr);
    const lines = jsonLines<PredictLine>(stdout);
    assert.deepEqual(
      lines.map((line) => line.text),
      ['this movie is great', 'bad'],
    );
    const classifier = await loadTextClassifier(MODEL);
    const expected = await classifier.predict(['this movie is great', 'bad']);
    classifier.dispose();
    for (const [i, line] of lines.entries()) {
      assert.deepEqual(Object.keys(line.probabilities), TINY_LABELS);
      const values = Object.values(line.probabilities);
      assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.equal(line.label, TINY_LABELS[values.indexOf(Math.max(...values))]);
      values.forEach((value, k) => assert.ok(Math.abs(value - expected[i]![k]!) < 1e-4, `${value} vs ${expected[i]![k]}`));
    }
  });

  it('reads the lines of --file, and stdin when given no text, skipping blank lines', () => {
    const fromFile = run(['predict', MODEL, '--file', 'texts.txt']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.deepEqual(
      jsonLines<PredictLine>(fromFile.stdout).map((line) => line.text),
      ['this movie is great', 'bad film'],
    );
    const fromStdin = run(['predict', MODEL], 'one\n\ntwo\nthree\n');
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.deepEqual(
      jsonLines<PredictLine>(fromStdin.stdout).map((line) => line.text),
      ['one', 'two', 'three'],
    );
  });

  it('fails on stderr with a non-zero exit: no model, not a classifier, a missing --file', () => {
    const usage = run(['predict']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give a model folder/);
    const missing = run(['predict', 'no-such-model', 'hello']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-model does not exist/);
    assert.equal(missing.stdout, '');
    const notClassifier = run(['predict', '.', 'hello']);
    assert.equal(notClassifier.code, 1);
    assert.match(notClassifier.stderr, /has no config\.json/);
    const noFile = run(['predict', MODEL, '--file', 'nothing.txt']);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /--file nothing\.txt: no such file or folder/);
  });

  it('scores a classifier folder on a labelled file: --json metrics, and a readable report', () => {
    const json = run(['eval', MODEL, 'labelled.csv', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const evaluation = JSON.parse(json.stdout) as ClassifierEvaluation;
    assert.equal(evaluation.count, 5);
    assert.deepEqual(evaluation.labels, TINY_LABELS);
    assert.equal(evaluation.confusionMatrix!.flat().reduce((a, b) => a + b, 0), 5);
    const correct = evaluation.confusionMatrix!.reduce((sum, row, i) => sum + row[i]!, 0);
    assert.equal(evaluation.accuracy, correct / 5);
    assert.ok(evaluation.macroF1 >= 0 && evaluation.macroF1 <= 1);
    assert.ok(Number.isFinite(evaluation.loss) && evaluation.loss > 0);
    assert.deepEqual(
      evaluation.perClass.map((entry) => entry.support),
      [2, 1, 2],
    );
    assert.deepEqual(evaluation.badLines, { count: 1, lines: [{ file: join(folder, 'labelled.csv'), line: 5, reason: 'no label in column "label"' }] });

    const text = run(['eval', MODEL, 'labelled.csv']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /5 examples; 1 bad line skipped/);
    assert.match(text.stdout, new RegExp(`accuracy ${evaluation.accuracy.toFixed(4)}  macro-F1 ${evaluation.macroF1.toFixed(4)}`));
    assert.match(text.stdout, /confusion matrix/);
    assert.match(text.stderr, /labelled\.csv:5: no label in column "label"/);
  });

  it('names the file and line of a label the model does not know; word-vector eval keeps its own usage', () => {
    const unknown = run(['eval', MODEL, 'unknown-label.csv']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown-label\.csv:3: label "mixed" is not a class of the model \(its classes: negative, neutral, positive\)/);
    const noData = run(['eval', MODEL]);
    assert.equal(noData.code, 2);
    assert.match(noData.stderr, /is a classifier: give it and one labelled data file/);
    const missingData = run(['eval', MODEL, 'nothing.csv']);
    assert.equal(missingData.code, 2);
    assert.match(missingData.stderr, /the data file nothing\.csv: no such file or folder/);
    const vectors = run(['eval', 'labelled.csv']);
    assert.equal(vectors.code, 2);
    assert.match(vectors.stderr, /--analogies/);
  });

  describe('the engine process', () => {
    let engine: EngineProcess;
    let connection: MessageConnection;
    before(() => {
      engine = startEngineProcess(join(folder, 'engine.js'), { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      connection = engine.connection;
    });
    after(() => engine.stop());

    it('answers classifier/predict with labels and probabilities per text', async () => {
      const result = await connection.sendRequest(ClassifierPredictRequest, { modelPath: MODEL, texts: ['this movie is great', 'bad', ''] });
      assert.deepEqual(result.labels, TINY_LABELS);
      assert.equal(result.modelType, 'bert');
      assert.equal(result.predictions.length, 3);
      for (const prediction of result.predictions) {
        assert.ok(TINY_LABELS.includes(prediction.label));
        assert.ok(Math.abs(prediction.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      }
    });

    it('answers classifier/evaluate with the metrics, and a bad label with its file:line as data', async () => {
      const evaluation = await connection.sendRequest(ClassifierEvaluateRequest, { modelPath: MODEL, dataPath: join(folder, 'labelled.csv') });
      assert.equal(evaluation.count, 5);
      assert.equal(evaluation.badLines.count, 1);
      await assert.rejects(connection.sendRequest(ClassifierEvaluateRequest, { modelPath: MODEL, dataPath: join(folder, 'unknown-label.csv') }), (error: unknown) => {
        assert.ok(error instanceof ResponseError);
        assert.match(error.message, /^\S*unknown-label\.csv:3: label "mixed"/);
        assert.deepEqual(error.data as DataErrorLocation, { file: join(folder, 'unknown-label.csv'), line: 3 });
        return true;
      });
      await assert.rejects(connection.sendRequest(ClassifierPredictRequest, { modelPath: join(folder, 'nowhere'), texts: ['x'] }), /nowhere does not exist/);
    });
  });
});
