// MemoryCgroup with spawnManaged: a process that joins a memory cgroup is held to its limit from its first instruction,
// and the OOM killer's kill is counted (skipped where this process may not make cgroups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCgroup, memoryHierarchy } from './memory-cgroup.js';
import { spawnManaged } from './processes.js';

const usable = memoryHierarchy() !== undefined && process.getuid?.() === 0;

test(
  'a process over its cgroup limit is OOM-killed and counted; Node sized its heap from the limit',
  { skip: !usable && 'needs root and a memory cgroup' },
  async () => {
    const cgroup = MemoryCgroup.create(`test-${process.pid}`, 64 * 1024 * 1024);
    const logFile = join(mkdtempSync(join(tmpdir(), 'memory-cgroup-')), 'hog.log');
    try {
      const hog = spawnManaged({
        name: 'hog',
        command: process.execPath,
        args: ['-e', 'console.log("constrained", process.constrainedMemory()); const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1));'],
        logFile,
        cgroups: [cgroup.dir],
      });
      const exit = await hog.exited;
      assert.equal(exit.signal, 'SIGKILL');
      const usage = cgroup.usage();
      assert.equal(usage.oomKills, 1);
      assert.equal(usage.limitBytes, 64 * 1024 * 1024);
      assert.ok(usage.peakBytes <= usage.limitBytes);
      assert.match(readFileSync(logFile, 'utf8'), /constrained 67108864/, 'the process saw the limit from its start');
    } finally {
      assert.ok(cgroup.remove(), 'the cgroup is removed once empty');
    }
  },
);
