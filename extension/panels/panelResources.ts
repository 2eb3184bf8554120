// Where a panel's bundle lives and how its HTML is made: shared by every panel host.
import * as vscode from 'vscode';
import { createNonce, renderWebviewHtml } from './webviewHtml';

/** Webview options of every panel: scripts on, and only out/webviews/ readable. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out', 'webviews')] };
}

/** Sets the panel's HTML to load out/webviews/<bundle>.js and .css, with a fresh nonce. */
export function loadPanelBundle(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string): void {
  const resource = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'webviews', file)).toString();
  webview.options = panelOptions(extensionUri);
  webview.html = renderWebviewHtml({ cspSource: webview.cspSource, nonce: createNonce(), scriptUri: resource(`${bundle}.js`), styleUri: resource(`${bundle}.css`), title });
}
