// The engine bundle of the .vsix as VS Code installed it (unpacked by `code-server --install-extension`
// into an empty extensions folder, where no node_modules of the checkout can be reached): forked with
// IPC as the extension forks it, it fine-tunes the tiny BERT and predicts with the result.
import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, NotificationType, RequestType } from 'vscode-jsonrpc/node.js';

// The methods of common/protocol/engine.ts (this harness is plain JavaScript).
const StartRunRequest = new RequestType('run/start');
const RunEventNotification = new NotificationType('run/event');
const ClassifierPredictRequest = new RequestType('classifier/predict');
const PipelineRequest = new RequestType('pipeline/run');

/** The folder code-server unpacked the extension into. */
export function installedExtensionFolder(extensionsDir) {
  const folder = readdirSync(extensionsDir).find((name) => name.startsWith('nlp-studio.nlp-studio-'));
  if (!folder) throw new Error(`no nlp-studio folder in ${extensionsDir}: ${readdirSync(extensionsDir).join(', ')}`);
  return join(extensionsDir, folder);
}

/**
 * Fine-tunes `configPath` (a BERT config that writes onnx/ too) in the installed engine, then predicts
 * `texts` with the run's model, and runs transformers.js' text-classification pipeline on the run
 * folder and the token classifier `nerFolder` on `texts`; resolves with the three answers, rejects with
 * the engine's own message on any failure.
 */
export async function fineTuneAndPredict(extensionFolder, configPath, texts, nerFolder) {
  const child = fork(join(extensionFolder, 'out', 'engine.js'), [], { cwd: extensionFolder, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_PATH: '' } });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((_, reject) => child.once('exit', (code, signal) => reject(new Error(`the engine exited (${code ?? signal}):\n${stderr}`))));
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  try {
    const finished = new Promise((resolve, reject) => {
      connection.onNotification(RunEventNotification, ({ event }) => {
        if (event.kind === 'finished') resolve(event);
        if (event.kind === 'failed') reject(new Error(`the run failed: ${event.message}`));
      });
    });
    finished.catch(() => undefined); // a failure before `started` rejects the start request too; report that one
    connection.listen();
    await Promise.race([connection.sendRequest(StartRunRequest, { configPath }), exited]);
    const { runDir } = await Promise.race([finished, exited]);
    const classifier = await Promise.race([connection.sendRequest(ClassifierPredictRequest, { modelPath: runDir, texts }), exited]);
    const pipeline = await Promise.race([connection.sendRequest(PipelineRequest, { modelPath: runDir, task: 'text-classification', texts }), exited]);
    const entities = await Promise.race([connection.sendRequest(PipelineRequest, { modelPath: nerFolder, task: 'token-classification', texts }), exited]);
    return { ...classifier, pipeline, entities };
  } finally {
    connection.dispose();
    child.kill();
  }
}
