// Download throughput from a Hub against curl on the same file: the project's local test Hub (the real
// HTTP endpoints) serves a model with 256 MB of weights from its own process; curl fetches the weights'
// URL to a file, and NLP Studio downloads the model into a fresh Hugging Face cache (API calls, the
// weights and the small files, all written to disk). Alternating runs; prints MB/s and the ratio.
// Over loopback nothing limits the rate but the clients' CPU; --link-mbps paces the Hub as a network
// link of that many megabits per second would (1000: gigabit Ethernet).
//   node --import tsx bench/hub-download.ts [--mb 256] [--runs 5] [--link-mbps 1000]
import { execFile, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { downloadModelSnapshot } from '../engine/hub/hubDownload';
import { startTestHub } from '../test/fixtures/hub/testHub';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const REPO = 'bench/big-model';

async function serve(): Promise<void> {
  // The Hub in its own process, so it never competes with the downloader for one event loop.
  const weights = randomBytes(argument('mb', 256) * 1_000_000);
  const mbps = argument('link-mbps', 0);
  const repos = [{ id: REPO, files: { 'config.json': '{"model_type":"bert"}', 'vocab.txt': '[PAD]\n[UNK]\n', 'model.safetensors': weights } }];
  const hub = await startTestHub({ repos, ...(mbps > 0 ? { bytesPerSecond: (mbps * 1e6) / 8 } : {}) });
  process.send?.({ url: hub.url, commit: hub.commitOf(REPO) });
}

async function main(): Promise<void> {
  const runs = argument('runs', 5);
  const mb = argument('mb', 256);
  const link = argument('link-mbps', 0);
  const server = fork(__filename, ['--serve', '--mb', String(mb), '--link-mbps', String(link)], { execArgv: ['--import', 'tsx'] });
  const { url } = await new Promise<{ url: string; commit: string }>((resolve) => server.once('message', (message) => resolve(message as { url: string; commit: string })));
  const scratch = await mkdtemp(path.join(tmpdir(), 'nlp-studio-hub-bench-'));
  const seconds: { curl: number[]; ours: number[] } = { curl: [], ours: [] };
  try {
    for (let run = 0; run < runs; run++) {
      const target = path.join(scratch, `curl-${run}.bin`);
      let start = performance.now();
      await promisify(execFile)('curl', ['-sS', '--fail', '-o', target, `${url}/${REPO}/resolve/main/model.safetensors`]);
      seconds.curl.push((performance.now() - start) / 1000);
      await rm(target);

      const cacheDir = path.join(scratch, `cache-${run}`);
      start = performance.now();
      await downloadModelSnapshot(REPO, 'main', { cacheDir, endpoint: url, signal: new AbortController().signal, onProgress: () => undefined });
      seconds.ours.push((performance.now() - start) / 1000);
      await rm(cacheDir, { recursive: true });
    }
  } finally {
    server.kill();
    await rm(scratch, { recursive: true, force: true });
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rate = (s: number): string => `${(mb / s).toFixed(0)} MB/s`;
  console.log(`${mb} MB of weights over ${link > 0 ? `a ${link} Mbit/s link` : 'loopback, unpaced'}, ${runs} runs each (curl ${seconds.curl.map((s) => s.toFixed(2)).join(", ")} s; ours ${seconds.ours.map((s) => s.toFixed(2)).join(", ")} s), medians:`);
  console.log(`  curl        ${median(seconds.curl).toFixed(2)} s  ${rate(median(seconds.curl))}`);
  console.log(`  NLP Studio  ${median(seconds.ours).toFixed(2)} s  ${rate(median(seconds.ours))}  (model info, listing and small files included)`);
  console.log(`  throughput ratio (NLP Studio / curl): ${(median(seconds.curl) / median(seconds.ours)).toFixed(2)}× (target ≥ 0.90)`);
}

void (process.argv.includes('--serve') ? serve() : main());
