// The NLP Studio config language server: wires LSP requests to the config language in common/config/.
// Runs over --stdio or node IPC (whatever the client started it with; createConnection reads argv).
import { fileURLToPath } from 'node:url';
import { CodeActionKind, createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type Diagnostic, type InitializeParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeFileSystem } from '../common/config/nodeFileSystem';
import { FILL_DEFAULTS_KIND, codeActions } from '../common/config/codeActions';
import { completion } from '../common/config/completion';
import { parseConfigDocument, type ConfigDocument } from '../common/config/configDocument';
import { diagnostic, DiagnosticSeverity, listDiagnostics } from '../common/config/diagnostics';
import { hover } from '../common/config/hover';
import { documentSymbols } from '../common/config/symbols';
import { semanticDiagnostics, syntaxAndSchemaDiagnostics } from '../common/config/validate';

const LANGUAGE_ID = 'nlp-config';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
/** The parsed document per uri, for the version it was parsed at: every request on one version shares it. */
const parsed = new Map<string, { version: number; doc: ConfigDocument }>();

function configDocumentOf(uri: string): ConfigDocument | undefined {
  const text = documents.get(uri);
  if (!text || text.languageId !== LANGUAGE_ID) return undefined;
  const cached = parsed.get(uri);
  if (cached?.version === text.version) return cached.doc;
  const doc = parseConfigDocument(uri, text.getText());
  parsed.set(uri, { version: text.version, doc });
  return doc;
}

/** Runs a handler; a failure is logged and answered with `fallback`, never thrown at the client. */
async function guarded<T>(what: string, fallback: T, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    connection.console.error(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return fallback;
  }
}

function isCurrent(uri: string, version: number): boolean {
  return documents.get(uri)?.version === version;
}

/** What the editor shows when a check itself failed: never the previous version's diagnostics. */
function internalErrorDiagnostic(what: string): Diagnostic {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return diagnostic(range, DiagnosticSeverity.Error, 'yaml-syntax', `NLP Studio could not check this config (${what} failed; the Output panel "NLP Studio" has the details).`);
}

/** Fast diagnostics at once, then the semantic ones (file reads) when they arrive, if the text has not moved on. */
async function publishDiagnostics(uri: string): Promise<void> {
  const version = documents.get(uri)?.version;
  if (version === undefined) return;
  const doc = await guarded('parsing', null, () => configDocumentOf(uri));
  if (doc === null) {
    await connection.sendDiagnostics({ uri, version, diagnostics: [internalErrorDiagnostic('parsing')] });
    return;
  }
  if (!doc) return;
  const fast = await guarded<Diagnostic[]>('validation', [internalErrorDiagnostic('validation')], () => syntaxAndSchemaDiagnostics(doc));
  await connection.sendDiagnostics({ uri, version, diagnostics: fast });
  const semantic = await guarded<Diagnostic[]>('semantic validation', [], () => semanticDiagnostics(doc, nodeFileSystem, { workspaceFolders }));
  if (!isCurrent(uri, version) || semantic.length === 0) return;
  await connection.sendDiagnostics({ uri, version, diagnostics: listDiagnostics([...fast, ...semantic]) });
}

function schedulePublish(uri: string): void {
  publishDiagnostics(uri).catch((error: unknown) => connection.console.error(`publishing diagnostics failed: ${String(error)}`));
}

/** Folders of the workspace, from initialize: a config that reads outside them gets a warning. */
let workspaceFolders: string[] = [];

function folderPaths(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
  return uris.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
}

connection.onInitialize((params) => {
  workspaceFolders = folderPaths(params);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [':', ' ', '/', '.', '-'], resolveProvider: false },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FILL_DEFAULTS_KIND] },
      documentSymbolProvider: true,
    },
    serverInfo: { name: 'nlp-studio-config' },
  };
});

documents.onDidOpen((event) => schedulePublish(event.document.uri));
documents.onDidChangeContent((event) => schedulePublish(event.document.uri));
documents.onDidClose((event) => {
  parsed.delete(event.document.uri);
  connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] }).catch(() => undefined);
});

connection.onCompletion((params) =>
  guarded('completion', { isIncomplete: false, items: [] }, () => {
    const doc = configDocumentOf(params.textDocument.uri);
    return doc ? completion(doc, params.position, nodeFileSystem) : { isIncomplete: false, items: [] };
  }),
);

connection.onHover((params) =>
  guarded('hover', null, () => {
    const doc = configDocumentOf(params.textDocument.uri);
    return doc ? hover(doc, params.position) : null;
  }),
);

connection.onCodeAction((params) =>
  guarded('code actions', [], () => {
    const doc = configDocumentOf(params.textDocument.uri);
    if (!doc) return [];
    const actions = codeActions(doc, params.range, params.context.diagnostics);
    const only = params.context.only;
    return only ? actions.filter((action) => only.some((kind) => action.kind === kind || action.kind?.startsWith(`${kind}.`))) : actions;
  }),
);

connection.onDocumentSymbol((params) =>
  guarded('document symbols', [], () => {
    const doc = configDocumentOf(params.textDocument.uri);
    return doc ? documentSymbols(doc) : [];
  }),
);

documents.listen(connection);
connection.listen();
