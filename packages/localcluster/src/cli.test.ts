// Unit tests of the CLI's argument split for `capstan kubectl`: kubectl's own flags pass through untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitKubectlArgs } from './cli.js';

test('kubectl arguments are split from the cluster name and passed through untouched', () => {
  const cases: Array<[string[], ReturnType<typeof splitKubectlArgs>]> = [
    [['kubectl', 'get', 'ns'], { name: 'default', args: ['get', 'ns'] }],
    [['kubectl', '--name', 'dev', 'version', '-o', 'json'], { name: 'dev', args: ['version', '-o', 'json'] }],
    [['--name=dev', 'kubectl', 'get', 'pods', '--name', 'x'], { name: 'dev', args: ['get', 'pods', '--name', 'x'] }],
    [
      ['kubectl', '-n', 'kube-system', 'get', 'pods', '--all-namespaces'],
      { name: 'default', args: ['-n', 'kube-system', 'get', 'pods', '--all-namespaces'] },
    ],
    [['up', '--kubernetes', '1.35'], undefined],
    [['status'], undefined],
  ];
  for (const [argv, want] of cases) assert.deepEqual(splitKubectlArgs(argv), want, argv.join(' '));
});
