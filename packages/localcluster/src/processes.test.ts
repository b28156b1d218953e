// Unit tests of the process harness: a child joins its cgroups before its command runs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spawnManaged } from './processes.js';

/** Where a cgroup v2 hierarchy is mounted, when it is (and we may create cgroups in it: root). */
function cgroup2Root(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' - ')[1]?.startsWith('cgroup2 '));
  return line?.split(' ')[4];
}

describe('spawnManaged', () => {
  const root = cgroup2Root();
  test(
    'the child is in its cgroups from its first instruction on',
    { skip: root ? false : 'needs root and a cgroup v2 hierarchy' },
    async () => {
      const name = `capstan-processes-test-${process.pid}`;
      const cgroup = join(root!, name);
      mkdirSync(cgroup);
      try {
        const dir = mkdtempSync(join(tmpdir(), 'capstan-processes-'));
        const logFile = join(dir, 'out.log');
        const child = spawnManaged({ name: 'cat', command: '/bin/cat', args: ['/proc/self/cgroup'], logFile, cgroups: [cgroup] });
        assert.deepEqual(await child.exited, { code: 0, signal: null });
        assert.match(readFileSync(logFile, 'utf8'), new RegExp(`^0::/${name}$`, 'm'), 'cat read its own cgroup: the one given');
      } finally {
        rmdirSync(cgroup);
      }
    },
  );

  test('a cgroup that cannot be joined fails the start (exit 126), the command never runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-processes-'));
    const logFile = join(dir, 'out.log');
    const child = spawnManaged({ name: 'true', command: '/bin/true', args: [], logFile, cgroups: [join(dir, 'no-such-cgroup')] });
    assert.equal((await child.exited).code, 126);
  });
});
