// The webview HTML shell: a strict CSP with the nonce, the panel's own stylesheet and script, nothing inline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonce, renderWebviewHtml } from '../../extension/panels/webviewHtml';

const options = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abcDEF0123456789abcDEF0123456789',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/webviews/trainingPanel.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/webviews/trainingPanel.css',
  title: 'Training <sotu> & "vectors"',
};

describe('renderWebviewHtml', () => {
  it('allows only the nonce’d script and the extension’s own styles, images and fonts', () => {
    const html = renderWebviewHtml(options);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
    assert.equal(
      csp,
      "default-src 'none'; script-src 'nonce-abcDEF0123456789abcDEF0123456789'; " +
        `style-src ${options.cspSource}; img-src ${options.cspSource} data:; font-src ${options.cspSource}`,
    );
    assert.doesNotMatch(csp ?? '', /unsafe/);
    assert.match(html, new RegExp(`<script nonce="${options.nonce}" src="${options.scriptUri.replace(/[.+]/g, '\\$&')}"></script>`));
    assert.match(html, /<link rel="stylesheet" href="[^"]*trainingPanel\.css">/);
    assert.doesNotMatch(html, /<style|style="|<script>/, 'nothing inline');
  });

  it('escapes the title and refuses a nonce that could break out of the attribute', () => {
    const html = renderWebviewHtml(options);
    assert.match(html, /<title>Training &lt;sotu&gt; &amp; &quot;vectors&quot;<\/title>/);
    assert.throws(() => renderWebviewHtml({ ...options, nonce: `x' 'unsafe-inline` }), /nonce/);
  });

  it('makes a fresh 32-character alphanumeric nonce each time', () => {
    const a = createNonce();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, createNonce());
  });
});
