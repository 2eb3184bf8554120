// pytorch_model.bin as the real torch.save writes it (zip and legacy formats), read without running
// anything: values, strided and shared storages, dtypes, a whole model folder, malicious and
// truncated files. The committed files in test/fixtures/models/torch-save/ are used everywhere; where
// PyTorch is installed the same tests run on files its torch.save writes now.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadEncoderClassifier } from '../../engine/models/huggingfaceFolder';
import { PytorchCheckpointError, readPytorchCheckpoint } from '../../engine/models/pytorch/pytorchCheckpoint';
import { PickleError, unpickle } from '../../engine/models/pytorch/restrictedUnpickler';
import { readSafetensors } from '../../engine/models/safetensors';
import { runTraining } from '../../engine/run/runTraining';
import { makeSentimentProject } from '../fixtures/classification/sentimentProject';
import { committedReference, fixtureFolder, forwardOn, maxDifference, MODELS_FIXTURES, PYTHON, torchMissing } from '../fixtures/models/references';

const COMMITTED = path.join(MODELS_FIXTURES, 'torch-save');
let scratch: string;
/** Where the torch.save files are: the committed copies, and fresh ones where torch is installed. */
const sources: { name: string; dir: string }[] = [{ name: 'committed', dir: COMMITTED }];

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  scratch = await mkdtemp(path.join(tmpdir(), 'models-pytorch-'));
  if (!torchMissing) {
    const fresh = path.join(scratch, 'fresh');
    await mkdir(fresh);
    const made = spawnSync(PYTHON, [path.join(COMMITTED, 'make-torch-files.py'), fresh], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    sources.push({ name: 'written by torch.save now', dir: fresh });
  }
});
after(() => rm(scratch, { recursive: true, force: true }));

type Views = Record<string, { shape: number[]; values: number[] }>;

describe('pytorch_model.bin files from torch.save', () => {
  test('every float tensor, strided, shared, sliced or cast, has its values (zip and legacy formats)', async () => {
    for (const { name, dir } of sources) {
      const expected = JSON.parse(await readFile(path.join(dir, 'views.json'), 'utf8')) as Views;
      for (const file of ['views.bin', 'views-legacy.bin']) {
        const read = await readPytorchCheckpoint(path.join(dir, file), (tensor) => tensor !== 'position_ids');
        assert.deepEqual(read.names, ['base', 'transposed', 'sliced', 'row', 'half', 'bfloat16', 'double', 'parameter', 'empty', 'position_ids'], `${name} ${file}`);
        assert.deepEqual([...read.tensors.keys()].sort(), Object.keys(expected).sort());
        for (const [tensor, { shape, values }] of Object.entries(expected)) {
          const got = read.tensors.get(tensor)!;
          assert.deepEqual(got.shape, shape, `${name} ${file} ${tensor}`);
          assert.deepEqual([...got.data], values, `${name} ${file} ${tensor}`);
        }
      }
    }
  });

  test('an int64 buffer is listed but refused as a weight, with its name', async () => {
    await assert.rejects(readPytorchCheckpoint(path.join(COMMITTED, 'views.bin')), /views\.bin: cannot read it as a PyTorch state dict: tensor 'position_ids' has dtype I64; only float tensors/);
  });

  test("tiny-bert's state dict saved by torch is bit-identical to its safetensors", async () => {
    const { tensors: safetensors } = await readSafetensors(path.join(fixtureFolder('bert'), 'model.safetensors'));
    for (const { dir } of sources) {
      for (const file of ['tiny-bert.bin', 'tiny-bert-legacy.bin']) {
        const { names, tensors } = await readPytorchCheckpoint(path.join(dir, file));
        assert.deepEqual(names, [...safetensors.keys()]);
        for (const [name, tensor] of safetensors) assert.deepEqual(tensors.get(name), tensor, `${file} ${name}`);
      }
    }
  });

  test('a model folder with only pytorch_model.bin loads and matches the PyTorch reference', async () => {
    const reference = committedReference('bert');
    for (const [index, { name, dir }] of sources.entries()) {
      for (const file of ['tiny-bert.bin', 'tiny-bert-legacy.bin']) {
        const folder = path.join(scratch, `folder-${index}-${file}`);
        await cp(fixtureFolder('bert'), folder, { recursive: true });
        await rm(path.join(folder, 'model.safetensors'));
        await copyFile(path.join(dir, file), path.join(folder, 'pytorch_model.bin'));
        const loaded = await loadEncoderClassifier(folder);
        assert.deepEqual(loaded.notices, [], `${name} ${file}`);
        assert.equal(loaded.files.weights, path.join(folder, 'pytorch_model.bin'));
        const { logits } = forwardOn(loaded.model, reference);
        loaded.model.dispose();
        assert.ok(maxDifference(logits, reference.logits) < 1e-5, `${name} ${file}`);
      }
    }
  });
});

test('a run from a pytorch_model.bin folder writes safetensors; a folder with both reads model.safetensors', async () => {
  const folder = path.join(scratch, 'torch-only');
  await cp(fixtureFolder('bert'), folder, { recursive: true });
  await rm(path.join(folder, 'model.safetensors'));
  await copyFile(path.join(COMMITTED, 'tiny-bert.bin'), path.join(folder, 'pytorch_model.bin'));
  const project = await makeSentimentProject({ pretrained: folder, training: 'training:\n  stages:\n    - { epochs: 1, learning_rate: 0.001, freeze: encoder }' });
  try {
    const outcome = await runTraining(project.config, { onEvent: () => undefined });
    assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
    const written = await readdir(project.runDir);
    assert.ok(written.includes('model.safetensors') && !written.includes('pytorch_model.bin'), written.join(', '));
  } finally {
    await rm(project.dir, { recursive: true, force: true });
  }
  const both = path.join(scratch, 'both');
  await cp(fixtureFolder('bert'), both, { recursive: true });
  await writeFile(path.join(both, 'pytorch_model.bin'), 'not read');
  const loaded = await loadEncoderClassifier(both);
  assert.equal(loaded.files.weights, path.join(both, 'model.safetensors'));
  loaded.model.dispose();
});

describe('malicious and broken files', () => {
  test('an object whose __reduce__ runs os.system is refused by name, and nothing runs', async () => {
    for (const { dir } of sources) {
      const file = path.join(dir, 'malicious.bin');
      await assert.rejects(readPytorchCheckpoint(file), (error: unknown) => {
        assert.ok(error instanceof PytorchCheckpointError);
        assert.match(error.message, /malicious\.bin: cannot read it as a PyTorch state dict: the pickle asks for the Python global posix\.system, which a PyTorch state dict never uses/);
        assert.match(error.message, /nothing was run$/);
        return true;
      });
    }
    for (const place of [process.cwd(), scratch, COMMITTED]) assert.ok(!existsSync(path.join(place, 'SHOULD-NEVER-EXIST')));
  });

  test('truncated files are errors naming the file (zip and legacy)', async () => {
    for (const [file, expected] of [
      ['tiny-bert.bin', /the zip archive is damaged or truncated/],
      ['tiny-bert-legacy.bin', /the file is truncated: storage \S+ needs \d+ bytes at byte \d+, but the file has \d+/],
      ['views-legacy.bin', /the pickle is truncated/],
    ] as const) {
      const whole = readFileSync(path.join(COMMITTED, file));
      const cut = path.join(scratch, `cut-${file}`);
      await writeFile(cut, whole.subarray(0, file === 'views-legacy.bin' ? 300 : Math.floor(whole.length / 2)));
      await assert.rejects(readPytorchCheckpoint(cut), (error: unknown) => error instanceof PytorchCheckpointError && error.message.startsWith(`${cut}: `) && expected.test(error.message));
    }
    const empty = path.join(scratch, 'empty.bin');
    await writeFile(empty, 'placeholder');
    await assert.rejects(readPytorchCheckpoint(empty), /empty\.bin: cannot read it as a PyTorch state dict: it is neither the zip archive torch\.save writes nor its older pickle stream/);
  });

  test('the unpickler refuses every way a pickle can run code, before anything is called', () => {
    const options = { allowed: { 'collections.OrderedDict': { call: () => new Map(), setState: () => undefined } }, purpose: 'a test dict' };
    const pickle = (...parts: (string | number[])[]): Uint8Array => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));
    const cases: [Uint8Array, RegExp][] = [
      [pickle('cbuiltins\neval\n(X', [4, 0, 0, 0], '1+1tR.'), /asks for the Python global builtins\.eval, which a test dict never uses .*; nothing was run/],
      [pickle([0x80, 4, 0x8c, 2], 'os', [0x8c, 6], 'system', [0x93], ')R.'), /asks for the Python global os\.system/],
      [pickle(')(tR.'), /REDUCE at byte \d+ calls something that is not an allowed global/],
      [pickle('ccollections\nOrderedDict\n)', [0x81], '.'), /NEWOBJ \(an instance of any class\)/],
      [pickle('(i__main__\nX\n.'), /INST/],
      [pickle('}}b.'), /BUILD at byte \d+ sets the state of an object no allowed global made/],
      [pickle([0x82, 1], '.'), /EXT1/],
      [pickle('}X', [1, 0, 0, 0], 'a'), /the pickle is truncated/],
      [pickle('}'), /ends at byte 1 before its STOP opcode/],
      [pickle([0xff]), /unknown pickle opcode 0xff at byte 0/],
    ];
    for (const [bytes, expected] of cases) assert.throws(() => unpickle(bytes, 0, options), (error: unknown) => error instanceof PickleError && expected.test(error.message));
    // What is allowed builds plain values: an OrderedDict of lists, tuples, ints (LONG1 is signed), floats and strings.
    const ok = unpickle(pickle([0x80, 2], 'ccollections\nOrderedDict\n)R(X', [1, 0, 0, 0], 'a', [0x8a, 1, 0xff], 'X', [1, 0, 0, 0], 'b]K', [7], 'aG', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], 'au}b.'), 0, options);
    assert.deepEqual(ok.value, new Map<string, unknown>([['a', -1], ['b', [7, 1.5]]]));
  });
});
