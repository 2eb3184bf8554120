// A pretrained model arriving from the Hugging Face Hub before a run starts: a progress notification
// with bytes, rate and ETA, whose Cancel cancels the download (and so the run).
import * as vscode from 'vscode';
import { formatBytes } from '../../common/formatBytes';
import { formatDuration } from '../../common/formatDuration';
import type { RunDownload } from '../../common/protocol/runEvents';
import type { RunSupervisor } from './runSupervisor';

interface ShownDownload {
  update(download: RunDownload): void;
  close(): void;
}

export function notifyDownloads(supervisor: RunSupervisor): vscode.Disposable {
  const shown = new Map<string, ShownDownload>();
  return supervisor.onDownload(({ runId, download }) => {
    let notification = shown.get(runId);
    if (download === undefined) return notification?.close();
    if (notification === undefined) {
      notification = showDownload(download, () => void supervisor.cancelStart(runId), () => shown.delete(runId));
      shown.set(runId, notification);
    }
    notification.update(download);
  });
}

function showDownload(first: RunDownload, cancel: () => void, ended: () => void): ShownDownload {
  let report: ((download: RunDownload) => void) | undefined;
  let pending: RunDownload | undefined = first;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${first.repoId} from the Hugging Face Hub`, cancellable: true },
    (progress, token) => {
      token.onCancellationRequested(() => {
        cancel();
        finish();
      });
      let shownFraction = 0;
      report = (download) => {
        const fraction = download.totalBytes > 0 ? download.receivedBytes / download.totalBytes : 0;
        const rate = download.bytesPerSecond > 0 ? `, ${formatBytes(download.bytesPerSecond)}/s, ETA ${formatDuration(download.etaSeconds, '?')}` : '';
        progress.report({ message: `${download.file}: ${formatBytes(download.receivedBytes)} of ${formatBytes(download.totalBytes)}${rate}`, increment: (fraction - shownFraction) * 100 });
        shownFraction = fraction;
        if (download.done) finish();
      };
      if (pending) report(pending);
      pending = undefined;
      return done.finally(ended);
    },
  );
  return { update: (download) => (report ? report(download) : (pending = download)), close: () => finish() };
}
