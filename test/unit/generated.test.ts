// Generated files are checked, not trusted: the types and the reference must equal what the schema generates now,
// and the schema itself must document every key (it is the only place descriptions live).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';

// The generator is an ES module (run by `npm run generate`); this CommonJS test loads it with import().
import type * as SchemaArtifactsModule from '../../scripts/generate-schema-artifacts.mjs' with { 'resolution-mode': 'import' };

type SchemaArtifacts = typeof SchemaArtifactsModule;
type SchemaNodeVisit = SchemaArtifactsModule.SchemaNodeVisit;

const STALE = 'is stale: run npm run generate';
let artifacts: SchemaArtifacts;
let visits: SchemaNodeVisit[];

before(async () => {
  artifacts = await import('../../scripts/generate-schema-artifacts.mjs');
  visits = [...artifacts.walkSchema(artifacts.readSchema())];
});

describe('generated artifacts', () => {
  it('common/schema/config.generated.ts matches the schema', async () => {
    const expected = await artifacts.generateTypes();
    assert.equal(readFileSync(artifacts.typesPath, 'utf8'), expected, `common/schema/config.generated.ts ${STALE}`);
  });

  it('docs/config-reference.md matches the schema', () => {
    const expected = artifacts.generateReference();
    assert.equal(readFileSync(artifacts.referencePath, 'utf8'), expected, `docs/config-reference.md ${STALE}`);
  });

  it('generates named section types without index signatures', async () => {
    const types = await artifacts.generateTypes();
    for (const name of ['NlpConfig', 'Model', 'Data', 'Training', 'Stage', 'Word2Vec', 'Output']) {
      assert.match(types, new RegExp(`export interface ${name} \\{`), name);
    }
    assert.doesNotMatch(types, /\[k: string\]/);
  });

  it('notices a schema change', async () => {
    const schema = artifacts.readSchema() as { properties: Record<string, unknown> };
    schema.properties.extra_key = { type: 'string', markdownDescription: 'A key added by this test.' };
    assert.match(await artifacts.generateTypes(schema), /extra_key\?: string;/);
    assert.match(artifacts.generateReference(schema), /## extra_key\n/);
  });

  it('reads which task each section applies to from the schema rules', () => {
    const applicability = artifacts.taskApplicability(artifacts.readSchema());
    assert.deepEqual(applicability.word2vec?.appliesTo, ['word2vec']);
    assert.deepEqual(applicability.model?.appliesTo, ['text-classification']);
    assert.deepEqual(applicability.model?.requiredBy, ['text-classification']);
    assert.deepEqual(applicability.data?.appliesTo, ['text-classification', 'word2vec']);
  });
});

describe('schema lint', () => {
  it('documents every key and definition with a markdownDescription', () => {
    const undocumented = visits
      .filter((v) => v.kind === 'property' || v.kind === 'definition' || v.kind === 'root')
      .filter((v) => typeof v.node.markdownDescription !== 'string' || v.node.markdownDescription.trim() === '')
      .map((v) => v.path || '(root)');
    assert.deepEqual(undocumented, [], 'keys without a markdownDescription');
  });

  it('describes every enum value when it describes any', () => {
    const mismatched = visits
      .filter((v) => Array.isArray(v.node.enumDescriptions))
      .filter((v) => (v.node.enumDescriptions as unknown[]).length !== (v.node.enum as unknown[] | undefined)?.length)
      .map((v) => v.path);
    assert.deepEqual(mismatched, [], 'enumDescriptions whose length differs from enum');
  });

  it('gives defaults that satisfy their own enum', () => {
    const bad = visits
      .filter((v) => Array.isArray(v.node.enum) && v.node.default !== undefined)
      .filter((v) => !(v.node.enum as unknown[]).includes(v.node.default))
      .map((v) => v.path);
    assert.deepEqual(bad, []);
  });
});
