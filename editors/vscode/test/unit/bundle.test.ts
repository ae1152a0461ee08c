// SPDX-License-Identifier: Apache-2.0
// The packaged bundle loads outside VS Code when `vscode` is stubbed: every other module it
// needs was bundled, and it exports the entry points VS Code calls.
import { strict as assert } from 'assert';
import * as path from 'path';
import { test } from 'node:test';
import Module = require('module');

// The client subclasses vscode's classes when it loads: every name is a class here.
function vscodeStub(): object {
  const names = new Map<string | symbol, unknown>();
  return new Proxy({}, {
    get: (_target, name) => {
      if (!names.has(name)) names.set(name, class {});
      return names.get(name);
    },
  });
}

test('dist/extension.js loads and exports activate and deactivate', () => {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  const asked: string[] = [];
  const stub = vscodeStub();
  loader._load = (request: string, ...rest: unknown[]) => {
    if (request === 'vscode') return stub;
    if (!request.startsWith('node:') && !Module.builtinModules.includes(request) &&
        !path.isAbsolute(request)) asked.push(request);
    return original(request, ...rest);
  };
  try {
    const bundle = require(path.join(__dirname, '..', '..', '..', 'dist', 'extension.js'));
    assert.equal(typeof bundle.activate, 'function');
    assert.equal(typeof bundle.deactivate, 'function');
    assert.deepEqual(asked, [], 'the bundle requires modules it should contain');
  } finally {
    loader._load = original;
  }
});
