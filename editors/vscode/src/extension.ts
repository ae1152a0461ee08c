// SPDX-License-Identifier: Apache-2.0
// Starts `ipec lsp` for IPE policies and keeps its target options in step with the settings.
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from 'vscode-languageclient/node';
import { executable, targetOptions, TargetOptions } from './settings';

const SECTION = 'ipec';
const TARGET_KEYS = ['target', 'kconfig', 'lsm', 'set'].map((k) => `${SECTION}.${k}`);
let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('ipec.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration(onConfigurationChange),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

function folder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function read(key: string): unknown {
  return vscode.workspace.getConfiguration(SECTION).get(key);
}

function currentOptions(): TargetOptions {
  return targetOptions(read, folder());
}

async function start(): Promise<void> {
  const command = executable(read, folder());
  const server: ServerOptions = { command, args: ['lsp'], options: { cwd: folder() } };
  const options: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'ipe-policy' },
      { scheme: 'untitled', language: 'ipe-policy' },
    ],
    initializationOptions: currentOptions,
    // The `ipec` section is sent by hand (onConfigurationChange) rather than through
    // `synchronize.configurationSection`, which would send the raw settings: `path`, `trace`
    // and nulls. A server that pulls the section gets the same shape.
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, i) => (item.section === SECTION ? currentOptions() : answers[i]));
        },
      },
    },
  };
  client = new LanguageClient(SECTION, 'ipec language server', server, options);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(
      `ipec: cannot start \`${command} lsp\` (${message}); set ipec.path to the ipec executable`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running?.isRunning()) await running.stop();
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function onConfigurationChange(event: vscode.ConfigurationChangeEvent): Promise<void> {
  if (event.affectsConfiguration(`${SECTION}.path`)) {
    await restart();
    return;
  }
  if (!client?.isRunning() || !TARGET_KEYS.some((k) => event.affectsConfiguration(k))) return;
  await client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { [SECTION]: currentOptions() },
  });
}
