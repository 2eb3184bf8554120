// The training engine as a child process (out/engine.js), talking JSON-RPC over Node IPC. Never the
// extension host: training blocks and may crash, and a crash must leave the editor working.
import { fork, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { engineRuntime } from './engineRuntime';

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the engine wrote to stderr: usually the reason it died. */
  stderrTail: string;
}

export class EngineProcess implements vscode.Disposable {
  readonly connection: MessageConnection;
  private readonly exitEmitter = new vscode.EventEmitter<EngineExit>();
  /** Fires once, when the process is gone for whatever reason. */
  readonly onExit = this.exitEmitter.event;
  private exited = false;
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcess,
    log: vscode.LogOutputChannel,
  ) {
    this.connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => log.info(chunk.trimEnd()));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
      log.warn(chunk.trimEnd());
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.connection.dispose();
      this.exitEmitter.fire({ code, signal, stderrTail: this.stderrTail.trim() });
    });
    this.connection.listen();
  }

  /** Forks the engine bundle on a Node.js (engineRuntime.ts); VS Code's Electron must then run as plain Node. */
  static start(enginePath: string, log: vscode.LogOutputChannel): EngineProcess {
    const runtime = engineRuntime(vscode.workspace.getConfiguration('nlpStudio').get<string>('engine.nodePath') || undefined);
    const child = fork(enginePath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      execArgv: [],
      ...(runtime.execPath ? { execPath: runtime.execPath } : {}),
    });
    log.info(`engine started (pid ${child.pid ?? '?'}) on ${runtime.description}`);
    return new EngineProcess(child, log);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  /** Ends the process at once (the "second stop"); onExit still fires. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  dispose(): void {
    this.kill();
    this.exitEmitter.dispose();
  }
}
