// Mocha entry point that VS Code loads into the extension host (extensionTestsPath → out/test/suite/index.js).
import Mocha from 'mocha';
import { format } from 'node:util';

/** Lines run.mjs looks for: where Mocha's output starts, and the counts it adds to its UI checks. */
export const START_MARKER = 'E2E-MOCHA-START';
export const RESULT_MARKER = 'E2E-MOCHA-RESULT';

export async function run(): Promise<void> {
  // The extension host forwards console arguments unformatted; give the workbench finished lines.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // Define describe/it before the bundled suites evaluate; dynamic imports keep them in this bundle but lazy.
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'nlp-studio-e2e', mocha);
  await import('./diagnostics.test.js');
  await import('./completion.test.js');
  await import('./newConfig.test.js');
  await import('./runs.test.js');
  await import('./predictClassifier.test.js');
  await import('./predictPipeline.test.js');
  await import('./predictionModel.test.js');

  console.log(START_MARKER);
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((failed) => {
      console.log(`${RESULT_MARKER} ${JSON.stringify({ passed: runner.stats?.passes ?? 0, failed })}`);
      resolve(failed);
    });
  });
  if (failures > 0) throw new Error(`${failures} end-to-end test(s) failed.`);
}
