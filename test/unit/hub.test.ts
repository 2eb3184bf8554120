// Models by Hub id: the Hugging Face cache in Python's layout read offline, downloads from a local Hub
// (the real HTTP endpoints, with failures injected) into that layout, the errors a user reads, and the
// language server's view of the cache.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { DownloadProgress } from '../../common/protocol/runEvents';
import { HubError } from '../../engine/hub/hubDownload';
import { locatePretrained, type PretrainedOptions } from '../../engine/hub/pretrainedModel';
import { completion } from '../../common/config/completion';
import { parseConfigDocument } from '../../common/config/configDocument';
import type { ConfigFileSystem } from '../../common/config/fileSystem';
import { validateConfig } from '../../common/config/validate';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { makeSentimentProject, TINY_BERT_FOLDER } from '../fixtures/classification/sentimentProject';
import { writePythonCache } from '../fixtures/hub/pythonCache';
import { startTestHub, type TestHub } from '../fixtures/hub/testHub';

const TOKEN = 'hf_testtoken0123456789';
const modelFiles = (): Record<string, Buffer> =>
  Object.fromEntries(readdirSync(TINY_BERT_FOLDER).map((name) => [name, readFileSync(path.join(TINY_BERT_FOLDER, name))]));
/** What a real repository also holds: weights for other frameworks that a download must skip. */
const OTHER_FORMATS = { 'tf_model.h5': Buffer.alloc(50_000, 1), 'flax_model.msgpack': Buffer.alloc(50_000, 2), 'README.md': '# tiny\n' };

const scratch: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

function options(env: PretrainedOptions['env'], progress: DownloadProgress[] = [], signal = new AbortController().signal): PretrainedOptions {
  return { baseDir: tmpdir(), signal, onProgress: (p) => progress.push(p), env, home: '/nonexistent-home' };
}

/** Every file under a cache folder, with '→' and its link target for symlinks. */
function cacheListing(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      const relative = path.relative(dir, full);
      if (entry.isDirectory()) walk(full);
      else out.push(entry.isSymbolicLink() ? `${relative} → ${readlinkSync(full)}` : relative);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

describe('models by Hub id through the Hugging Face cache', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({
      repos: [
        { id: 'org/tiny-bert', files: { ...modelFiles(), ...OTHER_FORMATS } },
        { id: 'org/private-bert', files: modelFiles(), private: true },
        { id: 'org/gated-bert', files: modelFiles(), gated: true },
        { id: 'org/not-a-model', files: { 'README.md': 'hello' } },
      ],
      tokens: [TOKEN],
    });
  });
  after(async () => {
    await hub.close();
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  it('reads a cache that Python wrote, offline, by branch and by commit', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    const { commit, snapshot } = await writePythonCache(path.join(cache, 'hub'), 'org/tiny-bert', modelFiles());
    const env = { HF_HOME: cache, HF_HUB_OFFLINE: '1' };
    const byBranch = await locatePretrained('org/tiny-bert', options(env));
    assert.equal(byBranch.folder, snapshot);
    assert.equal(byBranch.source, 'cache');
    const byCommit = await locatePretrained('org/tiny-bert', { ...options(env), revision: commit });
    assert.equal(byCommit.folder, snapshot);
    assert.equal(hub.requests.length, 0);
  });

  it('refuses offline what the cache does not hold, naming the cache and the way out', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    await assert.rejects(locatePretrained('org/tiny-bert', options({ HF_HUB_CACHE: cache, HF_HUB_OFFLINE: 'true' })), (error: Error) => {
      assert.ok(error instanceof HubError);
      assert.match(error.message, /HF_HUB_OFFLINE is set/);
      assert.ok(error.message.includes(cache), error.message);
      return true;
    });
  });

  it('downloads only what the model needs into Python\'s layout, with progress, then uses it offline', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    const progress: DownloadProgress[] = [];
    const env = { HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url };
    const first = await locatePretrained('org/tiny-bert', options(env, progress));
    assert.equal(first.source, 'download');
    const commit = hub.commitOf('org/tiny-bert');
    assert.equal(first.folder, path.join(cache, 'models--org--tiny-bert', 'snapshots', commit));
    assert.equal(readFileSync(path.join(cache, 'models--org--tiny-bert', 'refs', 'main'), 'utf8'), commit);
    const listing = cacheListing(cache);
    for (const name of readdirSync(TINY_BERT_FOLDER)) {
      const link = listing.find((line) => line.startsWith(`models--org--tiny-bert/snapshots/${commit}/${name} → ../../blobs/`));
      assert.ok(link, `${name} is a relative symlink into blobs/: ${listing.join('\n')}`);
      assert.deepEqual(readFileSync(path.join(first.folder, name)), readFileSync(path.join(TINY_BERT_FOLDER, name)));
    }
    assert.ok(!listing.some((line) => /tf_model|flax_model|README|\.incomplete/.test(line)), listing.join('\n'));
    const last = progress.at(-1)!;
    assert.equal(last.done, true);
    const total = Object.values(modelFiles()).reduce((sum, content) => sum + content.length, 0);
    assert.equal(last.totalBytes, total);
    assert.equal(last.receivedBytes, total);
    assert.ok(progress.every((p, i) => i === 0 || p.receivedBytes >= progress[i - 1]!.receivedBytes));

    const requestsBefore = hub.requests.length;
    const offline = await locatePretrained('org/tiny-bert', options({ ...env, HF_HUB_OFFLINE: '1' }));
    assert.equal(offline.folder, first.folder);
    assert.equal(hub.requests.length, requestsBefore, 'offline: no request reaches the Hub');
    const again = await locatePretrained('org/tiny-bert', options(env, progress));
    assert.equal(again.folder, first.folder);
    assert.ok(!hub.requests.slice(requestsBefore).some((request) => request.includes('/resolve/')), 'a cached file is not downloaded again');
  });

  it('uses the cached snapshot with a notice when the Hub cannot be reached', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    const { snapshot } = await writePythonCache(cache, 'org/tiny-bert', modelFiles());
    const located = await locatePretrained('org/tiny-bert', options({ HF_HUB_CACHE: cache, HF_ENDPOINT: 'http://127.0.0.1:9' }));
    assert.equal(located.folder, snapshot);
    assert.match(located.notices.join('\n'), /cannot be reached .*Using the cached snapshot/);
    await assert.rejects(locatePretrained('org/other', options({ HF_HUB_CACHE: cache, HF_ENDPOINT: 'http://127.0.0.1:9' })), /not a local folder or in the Hugging Face cache .* cannot be reached/);
  });

  it('says what is wrong with an unknown, private or gated repository, and reads the token', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    const env = { HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url };
    const failure = async (id: string, extra: Record<string, string> = {}): Promise<HubError> => {
      try {
        await locatePretrained(id, options({ ...env, ...extra }));
      } catch (error) {
        assert.ok(error instanceof HubError, String(error));
        return error;
      }
      throw new Error(`${id} was found`);
    };
    assert.equal((await failure('org/missing')).failure, 'needs-token');
    assert.match((await failure('org/missing')).message, /no public model org\/missing .*HF_TOKEN/);
    assert.equal((await failure('org/missing', { HF_TOKEN: TOKEN })).failure, 'not-found');
    assert.equal((await failure('org/private-bert')).failure, 'needs-token');
    assert.equal((await failure('org/gated-bert')).failure, 'gated');
    assert.equal((await failure('org/gated-bert', { HF_TOKEN: 'hf_wrong' })).failure, 'gated');
    assert.equal((await failure('org/not-a-model')).failure, 'unusable');
    await assert.rejects(locatePretrained('org/tiny-bert', { ...options(env), revision: 'v9' }), /no revision "v9" of org\/tiny-bert/);

    assert.equal((await locatePretrained('org/private-bert', options({ ...env, HF_TOKEN: TOKEN }))).source, 'download');
    const home = await tempDir('nlp-studio-home-');
    await writeFile(path.join(home, 'token'), `${TOKEN}\n`);
    assert.equal((await locatePretrained('org/gated-bert', options({ ...env, HF_HOME: home, HF_HUB_CACHE: cache }))).source, 'download');
  });

  it('leaves nothing partial in the cache when the connection drops mid-file, and a rerun completes', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    const env = { HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url };
    hub.dropConnection('org/tiny-bert', 'model.safetensors', 1000);
    await assert.rejects(locatePretrained('org/tiny-bert', options(env)), (error: Error) => {
      assert.ok(error instanceof HubError && error.failure === 'interrupted', String(error));
      assert.match(error.message, /broke off .* run again/);
      return true;
    });
    const listing = cacheListing(cache);
    assert.ok(!listing.some((line) => line.includes('model.safetensors') || line.includes('.incomplete')), listing.join('\n'));
    assert.ok(!listing.some((line) => line.includes('refs/')), 'the ref is not written for an incomplete snapshot');
    const rerun = await locatePretrained('org/tiny-bert', options(env));
    assert.deepEqual(readFileSync(path.join(rerun.folder, 'model.safetensors')), readFileSync(path.join(TINY_BERT_FOLDER, 'model.safetensors')));
  });

  it('cancels a download mid-file and leaves no partial file', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    const held = hub.holdDownload('org/tiny-bert', 'model.safetensors', 500);
    const controller = new AbortController();
    const located = locatePretrained('org/tiny-bert', options({ HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url }, [], controller.signal));
    await held.reached;
    controller.abort();
    await assert.rejects(located, (error: Error) => error instanceof HubError && error.failure === 'cancelled');
    held.release();
    const listing = cacheListing(cache);
    assert.ok(!listing.some((line) => line.includes('model.safetensors') || line.includes('.incomplete')), listing.join('\n'));
  });

  it('a first `nlp-studio train` downloads with a progress line, a second trains offline from the cache', async () => {
    const cli = path.resolve(__dirname, '../../out/cli.js');
    const cache = await tempDir('nlp-studio-hf-');
    const project = await makeSentimentProject({ pretrained: 'org/tiny-bert' });
    scratch.push(project.dir);
    const train = (env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        // Asynchronous: the local Hub answers from this process.
        const child = spawn(process.execPath, [cli, 'train', project.config], { cwd: project.dir, env: { ...process.env, HF_HUB_CACHE: cache, ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const first = await train({ HF_ENDPOINT: hub.url });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^Downloaded org\/tiny-bert into the Hugging Face cache: [\d.]+ kB at [\d.]+ [kMG]?B\/s$/m);
    assert.match(first.stderr, /^Finished in /m);
    const second = await train({ HF_HUB_OFFLINE: '1' });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /Download/);
    assert.ok(existsSync(path.join(project.runDir, 'model.safetensors')));
    assert.ok(lstatSync(path.join(cache, 'models--org--tiny-bert', 'snapshots', hub.commitOf('org/tiny-bert'), 'config.json')).isSymbolicLink());
  });
});

describe('the language server and the Hugging Face cache', () => {
  const configText = (pretrained: string, revision?: string): string =>
    ['task: text-classification', 'name: hub', 'model:', '  type: bert', `  pretrained: ${pretrained}`, ...(revision ? [`  revision: ${revision}`] : []), 'data:', '  train: data.csv', ''].join('\n');

  async function diagnose(cacheDir: string, offline: boolean, text: string): Promise<{ severity: number | undefined; message: string; code: unknown }[]> {
    const dir = await tempDir('nlp-studio-hub-lsp-');
    await writeFile(path.join(dir, 'data.csv'), 'text,label\na,x\nb,y\n');
    const fs: ConfigFileSystem = { ...nodeFileSystem, huggingfaceCache: { dir: cacheDir, offline } };
    const doc = parseConfigDocument(pathToFileURL(path.join(dir, 'c.nlp.yaml')).href, text);
    return (await validateConfig(doc, fs)).filter((d) => /pretrained|Hub|cache|model/.test(d.message)).map((d) => ({ severity: d.severity, message: d.message, code: d.code }));
  }

  it('is quiet about a cached model, notes a download otherwise, and warns when offline', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    await writePythonCache(cache, 'org/tiny-bert', modelFiles());
    assert.deepEqual(await diagnose(cache, true, configText('org/tiny-bert')), []);
    const missing = await diagnose(cache, false, configText('org/other-bert'));
    assert.equal(missing.length, 1);
    assert.equal(missing[0]!.severity, 3); // information
    assert.match(missing[0]!.message, /the first run downloads it from the Hub/);
    const offline = await diagnose(cache, true, configText('org/other-bert'));
    assert.equal(offline[0]!.severity, 2); // warning
    assert.match(offline[0]!.message, /HF_HUB_OFFLINE is set: the run will fail/);
    const otherRevision = await diagnose(cache, true, configText('org/tiny-bert', 'v2'));
    assert.match(otherRevision[0]!.message, /"org\/tiny-bert" at revision "v2" is not in the Hugging Face cache/);
  });

  it('completes model.pretrained with the models the cache holds', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    await writePythonCache(cache, 'org/tiny-bert', modelFiles());
    await writePythonCache(cache, 'distilbert-base-uncased', modelFiles());
    const dir = await tempDir('nlp-studio-hub-lsp-');
    const text = configText('');
    const doc = parseConfigDocument(pathToFileURL(path.join(dir, 'c.nlp.yaml')).href, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('  pretrained:'));
    const list = await completion(doc, { line, character: '  pretrained: '.length }, { ...nodeFileSystem, huggingfaceCache: { dir: cache, offline: true } });
    const cached = list.items.filter((item) => item.detail === 'Hugging Face cache').map((item) => item.label);
    assert.deepEqual(cached, ['distilbert-base-uncased', 'org/tiny-bert']);
  });

  it('checks a cached snapshot like a folder', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    const files = modelFiles();
    delete files['model.safetensors'];
    await writePythonCache(cache, 'org/tiny-bert', files);
    const found = await diagnose(cache, true, configText('org/tiny-bert'));
    assert.equal(found[0]?.code, 'incomplete-model');
    assert.match(found[0].message, /"org\/tiny-bert" in the Hugging Face cache is incomplete: missing model\.safetensors/);
  });

  it('nlp-studio validate accepts a cached Hub id offline', async () => {
    const cache = await tempDir('nlp-studio-hf-');
    await writePythonCache(cache, 'org/tiny-bert', modelFiles());
    const project = await makeSentimentProject({ pretrained: 'org/tiny-bert' });
    scratch.push(project.dir);
    const cli = path.resolve(__dirname, '../../out/cli.js');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'validate', project.config], { env: { ...process.env, HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' } });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(result.code, 0, result.out);
    assert.doesNotMatch(result.out, /pretrained|Hub/);
  });
});
