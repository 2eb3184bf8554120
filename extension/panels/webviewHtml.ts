// The HTML shell of every NLP Studio webview: one stylesheet, one nonce'd script, a strict CSP.
// Pure (no vscode import) so it is unit-tested and reused by the webview tests as the real page.

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the origin the panel's own resources are served from. */
  cspSource: string;
  /** A fresh random value per render (see `createNonce`). */
  nonce: string;
  /** `webview.asWebviewUri(...)` of out/webviews/<panel>.js, as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(...)` of out/webviews/<panel>.css, as a string. */
  styleUri: string;
  title: string;
}

/** 32 characters from [A-Za-z0-9], from a cryptographic source. */
export function createNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** For text and double-quoted attribute values. */
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** The panel's page: everything it shows is built by its script inside `<main id="root">`. */
export function renderWebviewHtml({ cspSource, nonce, scriptUri, styleUri, title }: WebviewHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('nonce must be base64-like');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(styleUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="root" aria-label="${escapeHtml(title)}"></main>
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}
