// Bad input never crashes (issue 12): each case the adversarial pass found, reproduced through the
// real CLI (the bundle `npm run build` writes) or the real reader, gets an error that names the file
// and what is wrong in it, and nothing is allocated, trained or printed from it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { parseConfigDocument } from '../../common/config/configDocument';
import { semanticDiagnostics } from '../../common/config/validate';
import { ENCODER_ARCHITECTURES } from '../../common/huggingface/architectures';
import { parseEncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { encoderParameterCount, parameterSpecs } from '../../common/huggingface/architectures/parameterSpecs';
import { elementCount } from '../../engine/models/safetensors';

const root = resolve(__dirname, '../..');
const cli = join(root, 'out/cli.js');
const TINY_BERT = join(root, 'test/fixtures/models/tiny-bert');
const scratch = mkdtempSync(join(tmpdir(), 'nlp-studio-bad-input-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[], cwd = scratch): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, out: result.stdout + result.stderr };
}

/** A copy of tiny-bert whose config.json has `changes`. */
function tinyBertWith(name: string, changes: Record<string, unknown>): string {
  const folder = join(scratch, name);
  cpSync(TINY_BERT, folder, { recursive: true });
  const file = join(folder, 'config.json');
  writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), ...changes }));
  return folder;
}

describe("a config.json whose sizes the weights beside it cannot hold", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['num_hidden_layers', { num_hidden_layers: 10_000_000 }],
    ['hidden_size', { hidden_size: 2_000_000 }],
    ['vocab_size', { vocab_size: 1_000_000_000 }],
    ['intermediate_size', { intermediate_size: 1_000_000_000 }],
  ];
  for (const [key, changes] of cases) {
    it(`${key}: predict refuses it at once, naming config.json and the key`, () => {
      const folder = tinyBertWith(key, changes);
      const { code, out } = run(['predict', folder, 'a good film']);
      assert.equal(code, 1, out);
      assert.match(out, new RegExp(`${join(folder, 'config.json')}: ${key} ${String(changes[key])} describes an encoder of .* but .*model\\.safetensors \\(94708 bytes\\) holds at most 47354`));
      assert.doesNotMatch(out, /\n\s+at /);
    });
  }

  it('the language server says the same of the folder as the config is typed', async () => {
    const folder = tinyBertWith('server', { num_hidden_layers: 10_000_000 });
    const doc = parseConfigDocument(pathToFileURL(join(scratch, 'c.nlp.yaml')).href, `task: text-classification\nname: x\nmodel:\n  pretrained: ${folder}\n`);
    const found = (await semanticDiagnostics(doc, nodeFileSystem)).filter((d) => d.code === 'incomplete-model');
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? '', /has an unusable config\.json: num_hidden_layers 10000000 describes an encoder of .* but model\.safetensors \(94708 bytes\)/);
  });

  it('the count the check uses is the encoder parameters, for every architecture', () => {
    for (const modelType of Object.keys(ENCODER_ARCHITECTURES)) {
      for (const json of [{}, { embedding_size: 64, hidden_size: 96, num_attention_heads: 3, num_hidden_layers: 3, intermediate_size: 50 }]) {
        const config = parseEncoderConfig({ model_type: modelType, ...json }, 'c.json');
        const listed = parameterSpecs(config).filter((spec) => spec.group !== 'classifier' && spec.group !== 'pooler');
        assert.equal(encoderParameterCount(config), listed.reduce((sum, spec) => sum + elementCount(spec.shape), 0), modelType);
      }
    }
  });
});
