// SPDX-License-Identifier: Apache-2.0
import { strict as assert } from 'assert';
import * as os from 'os';
import * as path from 'path';
import { test } from 'node:test';
import { executable, resolvePath, targetOptions } from '../../src/settings';

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

test('unset settings send nothing, so the server keeps its defaults', () => {
  assert.deepEqual(targetOptions(reader({ target: null, kconfig: [], lsm: null, set: [] })), {});
  assert.deepEqual(targetOptions(reader({ target: '  ', lsm: '', set: [' '] })), {});
});

test('set settings are sent trimmed, and kconfig paths are resolved from the folder', () => {
  const options = targetOptions(reader({
    target: ' live ',
    kconfig: ['configs/a.config', '/boot/config-6.12', '${workspaceFolder}/b.config'],
    lsm: 'capability,ipe',
    set: ['CONFIG_IMA=n', 'CONFIG_MODULES=y'],
  }), '/ws');
  assert.deepEqual(options, {
    target: 'live',
    kconfig: ['/ws/configs/a.config', '/boot/config-6.12', '/ws/b.config'],
    lsm: 'capability,ipe',
    set: ['CONFIG_IMA=n', 'CONFIG_MODULES=y'],
  });
});

test('values of the wrong type are ignored rather than sent', () => {
  assert.deepEqual(targetOptions(reader({ target: 3, kconfig: 'a.config', set: [1, 'CONFIG_IMA=y'] })),
    { set: ['CONFIG_IMA=y'] });
});

test('the executable is a PATH name unless it is a path', () => {
  assert.equal(executable(reader({}), '/ws'), 'ipec');
  assert.equal(executable(reader({ path: 'ipec-dev' }), '/ws'), 'ipec-dev');
  assert.equal(executable(reader({ path: 'build/ipec' }), '/ws'), '/ws/build/ipec');
  assert.equal(executable(reader({ path: '/usr/bin/ipec' }), '/ws'), '/usr/bin/ipec');
  assert.equal(resolvePath('~/bin/ipec'), path.join(os.homedir(), 'bin/ipec'));
});
