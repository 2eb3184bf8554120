// Where a panel's bundle lives, how its HTML is made and how its messages reach the host: shared by every panel host.
import * as vscode from 'vscode';
import { createNonce, renderWebviewHtml } from './webviewHtml';

/** Webview options of every panel: scripts on, and only out/webviews/ readable. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out', 'webviews')] };
}

/**
 * Loads out/webviews/<bundle>.js and .css into the panel (fresh nonce, strict CSP) and routes its
 * messages to `onMessage` until the panel is closed, when `onDispose` runs and the listeners go.
 */
export function attachPanel<Outbound>(
  panel: vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  bundle: string,
  title: string,
  handlers: { onMessage(message: Outbound): void; onDispose(): void },
): void {
  const { webview } = panel;
  const resource = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'webviews', file)).toString();
  webview.options = panelOptions(extensionUri);
  webview.html = renderWebviewHtml({ cspSource: webview.cspSource, nonce: createNonce(), scriptUri: resource(`${bundle}.js`), styleUri: resource(`${bundle}.css`), title });
  const subscriptions = [
    webview.onDidReceiveMessage((message: Outbound) => handlers.onMessage(message)),
    panel.onDidDispose(() => {
      handlers.onDispose();
      for (const subscription of subscriptions) subscription.dispose();
    }),
  ];
}
