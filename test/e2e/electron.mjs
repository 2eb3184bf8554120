#!/usr/bin/env node
// The same Mocha suite in desktop VS Code through @vscode/test-electron, for machines that can download
// VS Code (this project's CI cannot; it uses run.mjs with code-server). Needs `npm run build` first.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

const repoRoot = resolve(import.meta.dirname, '../..');
const workspace = join(mkdtempSync(join(tmpdir(), 'nlp-studio-e2e-electron-')), 'workspace');
cpSync(join(repoRoot, 'test/e2e/workspace'), workspace, { recursive: true });

try {
  await runTests({
    version: process.env.NLP_STUDIO_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out/test/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
  });
} catch (error) {
  console.error(`E2E (electron): ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(resolve(workspace, '..'), { recursive: true, force: true });
}
