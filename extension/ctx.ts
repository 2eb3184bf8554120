// The extension's context: owns every disposable, so deactivation releases everything in one place.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

/** A command handler built from the context; commands are factories so they stay testable and lazy. */
export type CommandFactory = (ctx: Ctx) => (...args: never[]) => unknown;

export class Ctx {
  /** The running language client, once started. */
  languageClient: LanguageClient | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {}

  /** The folder the extension is installed in (templates/, out/server.js live there). */
  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  /** Ties a disposable to the extension's lifetime. */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.extension.subscriptions.push(disposable);
    return disposable;
  }

  registerCommand(id: string, factory: CommandFactory): void {
    this.own(vscode.commands.registerCommand(id, factory(this)));
  }
}
