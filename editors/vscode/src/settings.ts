// SPDX-License-Identifier: Apache-2.0
// The `ipec.*` settings turned into what the language server reads. Kept free of the vscode
// module so that node's test runner can check it without an editor.
import * as os from 'os';
import * as path from 'path';

/** The target options of `ipec check`, as the server takes them in initializationOptions and
 *  in the `ipec` section of workspace/didChangeConfiguration. Unset ones are left out, so the
 *  server applies its own defaults (target linux-6.12). */
export interface TargetOptions {
  target?: string;
  kconfig?: string[];
  lsm?: string;
  set?: string[];
}

/** Reads one setting of the `ipec` section (undefined or null when unset). */
export type Read = (key: string) => unknown;

export function targetOptions(read: Read, folder?: string): TargetOptions {
  const options: TargetOptions = {};
  const target = text(read('target'));
  if (target !== undefined) options.target = target;
  const kconfig = texts(read('kconfig')).map((p) => resolvePath(p, folder));
  if (kconfig.length > 0) options.kconfig = kconfig;
  const lsm = text(read('lsm'));
  if (lsm !== undefined) options.lsm = lsm;
  const set = texts(read('set'));
  if (set.length > 0) options.set = set;
  return options;
}

/** The server executable: a bare name is looked up on PATH by the system; a path is taken
 *  relative to the workspace folder. */
export function executable(read: Read, folder?: string): string {
  const value = text(read('path')) ?? 'ipec';
  return value.includes('/') || value.startsWith('~') ? resolvePath(value, folder) : value;
}

/** `~` is the home directory, `${workspaceFolder}` the first folder; a relative path is taken
 *  from that folder, because the server's working directory is not the user's concern. */
export function resolvePath(value: string, folder?: string): string {
  let p = value;
  if (folder !== undefined) p = p.split('${workspaceFolder}').join(folder);
  if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
  if (!path.isAbsolute(p) && folder !== undefined) p = path.join(folder, p);
  return p;
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function texts(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(text).filter((v): v is string => v !== undefined);
}
