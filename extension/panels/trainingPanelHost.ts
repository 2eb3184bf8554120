// Hosts the training panel: follows the current run (or the one asked for), replays what it missed,
// lists past runs from the workspace's run folders, and turns the panel's Stop into a checkpointed stop.
import * as vscode from 'vscode';
import { SELECT_PREDICTION_MODEL_COMMAND } from '../models/predictionModel';
import { revealPath } from '../workspaceFiles';
import { TRAINING_PANEL_VIEW_TYPE, parseClassificationReport, type TrainingPanelInbound, type TrainingPanelOutbound } from '../../common/protocol/panels';
import type { RunEvent } from '../../common/protocol/runEvents';
import type { Ctx } from '../ctx';
import type { RunRecord } from '../run/runSupervisor';
import { attachPanel, panelOptions } from './panelResources';
import { readRunHistory } from './runHistory';

const TITLE = 'NLP Studio: Training';
const SUMMARY_GLOB = '**/summary.json';
const EXCLUDE_GLOB = '{**/node_modules/**,**/checkpoints/**}';

export class TrainingPanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The run the panel shows; undefined shows whatever it restored, until a run starts. */
  private followed: RunRecord | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      ctx.runs.onRunEvent(({ run, event }) => {
        if (event.kind === 'started' && run !== this.followed) {
          this.followed = run;
          this.post({ type: 'runEvents', runId: run.runId, events: run.events, replace: true });
          return;
        }
        if (run === this.followed) {
          this.post({ type: 'runEvent', runId: run.runId, event });
          this.postClassification(run.runId, event);
        }
        if (event.kind === 'finished' || event.kind === 'failed') void this.postHistory();
      }),
      ctx.predictionModel.onDidChange(() => this.postContext()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.postContext()),
      vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
        // The webview restores its own curves from its state; the host only re-attaches.
        deserializeWebviewPanel: (panel) => Promise.resolve(this.adopt(panel)),
      }),
    );
  }

  /** Whether the panel is on screen, showing the run `runId`. */
  isShowing(runId: string): boolean {
    return this.panel?.visible === true && this.followed?.runId === runId;
  }

  /** Shows the panel on the given run (by id), else on the active or latest run. */
  show(runId?: string): void {
    const run = (runId ? this.ctx.runs.allRuns.find((candidate) => candidate.runId === runId) : undefined) ?? this.ctx.runs.activeRun ?? this.ctx.runs.latestRun;
    const changed = run !== undefined && run !== this.followed;
    if (run) this.followed = run;
    if (this.panel) {
      this.panel.reveal(undefined, true);
      if (changed) this.replayFollowed();
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(TRAINING_PANEL_VIEW_TYPE, TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(this.ctx.extensionUri)));
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    attachPanel<TrainingPanelOutbound>(panel, this.ctx.extensionUri, 'trainingPanel', TITLE, {
      onMessage: (message) => this.receive(message),
      onDispose: () => (this.panel = undefined),
    });
  }

  private receive(message: TrainingPanelOutbound): void {
    switch (message.type) {
      case 'ready':
        this.postContext();
        this.replayFollowed();
        void this.postHistory();
        return;
      case 'stop': {
        const run = this.ctx.runs.allRuns.find((candidate) => candidate.runId === message.runId);
        if (run) void this.ctx.runs.stop(run);
        return;
      }
      case 'reveal':
        void revealPath(message.path);
        return;
      case 'useForPredictions':
        void vscode.commands.executeCommand(SELECT_PREDICTION_MODEL_COMMAND, message.runDir);
        return;
    }
  }

  private replayFollowed(): void {
    const run = this.followed;
    if (!run) return;
    this.post({ type: 'runEvents', runId: run.runId, events: run.events, replace: true });
    const last = run.events.at(-1);
    if (last) this.postClassification(run.runId, last);
  }

  /** After a `finished` event: its summary's confusion matrix and per-class table, typed for the panel. */
  private postClassification(runId: string, event: RunEvent): void {
    if (event.kind !== 'finished') return;
    const report = parseClassificationReport(event.summary);
    if (report) this.post({ type: 'classificationReport', runId, report });
  }

  private postContext(): void {
    const predictionModel = this.ctx.predictionModel.current?.path;
    this.post({ type: 'context', workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath), ...(predictionModel && { predictionModel }) });
  }

  private async postHistory(): Promise<void> {
    const summaries = await vscode.workspace.findFiles(SUMMARY_GLOB, EXCLUDE_GLOB, 200);
    this.post({ type: 'history', runs: await readRunHistory(summaries.map((uri) => uri.fsPath)) });
  }

  private post(message: TrainingPanelInbound): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
