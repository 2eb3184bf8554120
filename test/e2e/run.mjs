#!/usr/bin/env node
// End-to-end tests in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by headless Chromium.
//   1. the Mocha suite (out/test/suite/index.js) runs inside the extension host, loaded through the payload URL;
//   2. UI checks drive the workbench as a user would (Problems panel, suggest widget, the palette);
//   3. the packaged .vsix installs into code-server and works without the development path;
//   4. with workspace trust on, an untrusted workspace in Restricted Mode refuses runs.
// Prints the Mocha output, then `E2E: N passed, M failed`; exits non-zero on any failure.
// Needs `npm run build` and `bash test/setup.sh` first (npm run test:e2e does both).
// Options: --skip-vsix (phase 3 off), --only=suite|ui|vsix|restricted.
import { cpSync, writeFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { codeServerBin, startCodeServer } from './codeServer.mjs';
import { restrictedModeChecks, restrictedModeKeybindings } from './restrictedMode.mjs';
import { checkVsix, packageVsix } from './vsix.mjs';
import { uiChecks } from './uiChecks.mjs';
import { launchBrowser, openWorkbench, withTimeout, workbenchUrl } from './workbench.mjs';

const repoRoot = resolve(import.meta.dirname, '../..');
const fixtureWorkspace = join(repoRoot, 'test/e2e/workspace');
const suitePath = join(repoRoot, 'out/test/suite/index.js');
const artifactsDir = join(repoRoot, 'out/e2e-artifacts');
const START_MARKER = 'E2E-MOCHA-START'; // printed by test/e2e/suite/index.ts
const RESULT_MARKER = 'E2E-MOCHA-RESULT';
const SUITE_TIMEOUT_MS = 5 * 60_000;

const args = process.argv.slice(2);
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const phases = {
  suite: !only || only === 'suite',
  ui: !only || only === 'ui',
  vsix: (!only || only === 'vsix') && !args.includes('--skip-vsix'),
  restricted: !only || only === 'restricted',
};

for (const [what, path] of [['code-server', codeServerBin], ['the built extension', join(repoRoot, 'out/extension.js')], ['the built test suite', suitePath]]) {
  if (!existsSync(path)) {
    console.error(`E2E: ${what} is missing (${path}); run npm run build and bash test/setup.sh first.`);
    process.exit(2);
  }
}

const started = performance.now();
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);
const scratch = mkdtempSync(join(tmpdir(), 'nlp-studio-e2e-'));
rmSync(artifactsDir, { recursive: true, force: true });
mkdirSync(artifactsDir, { recursive: true });

/** A fresh copy of the fixture workspace, so no phase sees another's edits. */
function workspaceCopy(name) {
  const dir = join(scratch, name);
  cpSync(fixtureWorkspace, dir, { recursive: true });
  return dir;
}

const counts = { passed: 0, failed: 0 };
const failures = [];

function record(name, error, ms) {
  if (error) {
    counts.failed++;
    failures.push(name);
    console.log(`  ✗ ${name} (${ms} ms)\n      ${String(error.stack ?? error).split('\n').join('\n      ')}`);
  } else {
    counts.passed++;
    console.log(`  ✓ ${name} (${ms} ms)`);
  }
}

/** Runs the Mocha suite in the extension host; its output arrives through codeAutomationLog. */
async function runSuite(browser) {
  const phaseStart = performance.now();
  console.log('\nMocha suite in the extension host');
  const server = await startCodeServer({ root: join(scratch, 'code-server-suite') });
  let page;
  const workbenchLog = [];
  try {
    let result;
    let exitCode;
    const exited = new Promise((resolveExit, failToLoad) => {
      const onExit = (code) => {
        exitCode = code;
        resolveExit();
      };
      let inMocha = false;
      const onLog = (level, message) => {
        const text = String(message);
        workbenchLog.push(`[${level}] ${text}`);
        const marker = text.indexOf(RESULT_MARKER);
        if (marker >= 0) {
          result = JSON.parse(text.slice(marker + RESULT_MARKER.length));
          inMocha = false;
        } else if (text.includes(START_MARKER)) {
          inMocha = true;
        } else if (inMocha) {
          console.log(text);
        }
      };
      const url = workbenchUrl(server, workspaceCopy('ws-suite'), { extensionDevelopmentPath: repoRoot, extensionTestsPath: suitePath });
      openWorkbench(browser, url, { onLog, onExit }).then((opened) => (page = opened), failToLoad);
    });
    await withTimeout(exited, SUITE_TIMEOUT_MS, 'the suite to finish');
    if (!result) throw new Error(`the suite exited with code ${exitCode} without reporting results (did it load?)`);
    counts.passed += result.passed;
    counts.failed += result.failed;
    if (result.failed) failures.push(`${result.failed} Mocha test(s)`);
    if (exitCode !== 0 && result.failed === 0) record('the Mocha suite exits with 0', new Error(`exit code ${exitCode}`), 0);
    console.log(`Mocha suite: ${result.passed} passed, ${result.failed} failed (exit ${exitCode}, ${seconds(phaseStart)} s)`);
    if (exitCode !== 0) writeFileSync(join(artifactsDir, 'suite-workbench.log'), workbenchLog.join('\n'));
  } catch (error) {
    writeFileSync(join(artifactsDir, 'suite-workbench.log'), workbenchLog.join('\n'));
    record('the Mocha suite runs', error, Math.round(performance.now() - phaseStart));
    if (page) await page.screenshot({ path: join(artifactsDir, 'suite.png') }).catch(() => {});
    console.log(server.log());
  } finally {
    await page?.context().close();
    await server.stop();
  }
}

/** Runs named checks against one page, screenshotting each failure. */
async function runChecks(page, checks, prefix) {
  for (const [name, check] of checks) {
    const checkStart = performance.now();
    let failure;
    try {
      await check(page);
    } catch (error) {
      failure = error;
      const file = join(artifactsDir, `${prefix}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
      await page.screenshot({ path: file }).catch(() => {});
      error.message += `\n(screenshot: ${file})`;
    }
    record(name, failure, Math.round(performance.now() - checkStart));
  }
}

async function runUiChecks(browser) {
  const phaseStart = performance.now();
  console.log('\nUI checks with the extension under development');
  const server = await startCodeServer({ root: join(scratch, 'code-server-ui') });
  const workspace = workspaceCopy('ws-ui');
  let page;
  try {
    page = await openWorkbench(browser, workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot }));
    await runChecks(page, uiChecks(workspace, artifactsDir), 'ui');
  } catch (error) {
    record('the workbench loads with the extension under development', error, Math.round(performance.now() - phaseStart));
    console.log(server.log());
  } finally {
    await page?.context().close();
    await server.stop();
  }
  console.log(`UI checks: ${seconds(phaseStart)} s`);
}

async function runRestrictedModeChecks(browser) {
  const phaseStart = performance.now();
  console.log('\nRestricted Mode: workspace trust on, the workspace not trusted');
  const server = await startCodeServer({ root: join(scratch, 'code-server-restricted'), trust: true, keybindings: restrictedModeKeybindings });
  const workspace = workspaceCopy('ws-restricted');
  let page;
  try {
    page = await openWorkbench(browser, workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot }));
    await runChecks(page, restrictedModeChecks(workspace), 'restricted');
  } catch (error) {
    record('the workbench loads in Restricted Mode', error, Math.round(performance.now() - phaseStart));
    console.log(server.log());
  } finally {
    await page?.context().close();
    await server.stop();
  }
  console.log(`Restricted Mode checks: ${seconds(phaseStart)} s`);
}

async function runVsixCheck(browser) {
  const phaseStart = performance.now();
  console.log('\nThe packaged .vsix installed into code-server');
  try {
    const vsix = await packageVsix();
    await checkVsix(browser, { vsix, root: join(scratch, 'code-server-vsix'), workspace: workspaceCopy('ws-vsix'), record, runChecks });
  } catch (error) {
    record('the .vsix packages and installs', error, Math.round(performance.now() - phaseStart));
  }
  console.log(`.vsix check: ${seconds(phaseStart)} s`);
}

let browser;
try {
  browser = await launchBrowser();
  if (phases.suite) await runSuite(browser);
  if (phases.ui) await runUiChecks(browser);
  if (phases.restricted) await runRestrictedModeChecks(browser);
  if (phases.vsix) await runVsixCheck(browser);
} catch (error) {
  record('the end-to-end run', error, 0);
} finally {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`\nE2E time: ${seconds(started)} s${failures.length ? `; failed: ${failures.join('; ')}` : ''}`);
console.log(`E2E: ${counts.passed} passed, ${counts.failed} failed`);
process.exitCode = counts.failed > 0 || counts.passed === 0 ? 1 : 0;
