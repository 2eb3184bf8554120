// The packaged extension: `vsce package`, install the .vsix into code-server, check it works with no
// development path. Called by run.mjs; `node test/e2e/vsix.mjs` is not a separate entry point.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { installVsix, startCodeServer } from './codeServer.mjs';
import { fineTuneAndPredict, installedExtensionFolder } from './installedEngine.mjs';
import { fineTuneFromPalette, predictFromPalette, pretrainFromPalette, problemsPanelShowsDiagnostics } from './uiChecks.mjs';
import { openWorkbench, workbenchUrl } from './workbench.mjs';

const repoRoot = resolve(import.meta.dirname, '../..');

/** Runs `npm run package`, exactly as a user would, and returns the path of the .vsix it wrote for this platform. */
export async function packageVsix() {
  await promisify(execFile)('npm', ['run', 'package'], { cwd: repoRoot, timeout: 120_000 });
  return join(repoRoot, `out/nlp-studio-${process.platform}-${process.arch}.vsix`);
}

export async function checkVsix(browser, { vsix, root, workspace, record, runChecks }) {
  const extensionsDir = join(root, 'extensions');
  const installStart = performance.now();
  let installed = false;
  try {
    const output = await installVsix(vsix, root, extensionsDir);
    if (!/successfully installed/i.test(output)) throw new Error(`code-server --install-extension said:\n${output}`);
    installed = true;
  } catch (error) {
    record('the .vsix installs into code-server', error, Math.round(performance.now() - installStart));
  }
  if (!installed) return;
  record('the .vsix installs into code-server', undefined, Math.round(performance.now() - installStart));

  const engineStart = performance.now();
  let engineFailure;
  try {
    const texts = ['i love this film , it is great', 'bad boring plot'];
    const { predictions, labels: classes, runtime, pipeline, entities } = await fineTuneAndPredict(installedExtensionFolder(extensionsDir), join(workspace, 'sentiment.nlp.yaml'), texts, join(workspace, 'models/tiny-ner'));
    const labels = predictions.map((prediction) => prediction.label).join(', ');
    if (labels !== 'pos, neg') throw new Error(`the installed engine's model predicted ${labels} for a positive and a negative text`);
    if (!/^onnxruntime /.test(runtime)) throw new Error(`the run wrote onnx/model.onnx, but predictions came from ${runtime}`);
    // transformers.js in the installed bundle opens the fine-tuned folder and gives the same probabilities.
    pipeline.outputs.forEach((output, i) => {
      for (const { label, score } of output.scores) {
        const engine = predictions[i].probabilities[classes.indexOf(label)];
        if (!(Math.abs(score - engine) < 1e-4)) throw new Error(`transformers.js gave ${label} ${score} for "${texts[i]}", the engine ${engine}`);
      }
    });
    if (!entities.outputs.some((output) => output.entities.length > 0)) throw new Error(`the installed engine's token-classification pipeline found no entities: ${JSON.stringify(entities)}`);
  } catch (error) {
    engineFailure = error;
  }
  record('installed .vsix: its engine bundle alone fine-tunes the tiny BERT, predicts with it on onnxruntime, runs it in transformers.js and marks entities with a token classifier', engineFailure, Math.round(performance.now() - engineStart));

  const server = await startCodeServer({ root, extensionsDir });
  let page;
  try {
    page = await openWorkbench(browser, workbenchUrl(server, workspace));
    await runChecks(page, [
      ['installed .vsix: Problems panel shows the broken config\'s diagnostics', problemsPanelShowsDiagnostics],
      ['installed .vsix: Pretrain word vectors runs in its engine and the panel follows it', pretrainFromPalette],
      ['installed .vsix: Fine-tune model on a BERT config ends with the confusion matrix', fineTuneFromPalette],
      ['installed .vsix: Predict on selection labels the selection with the fine-tuned BERT', predictFromPalette],
    ], 'vsix');
  } finally {
    await page?.context().close();
    await server.stop();
  }
}
