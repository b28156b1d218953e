// memoryLimits: the cgroup limit read as MiB or none, and the warning when the heap could fill the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { memoryLimits } from './memory-limits.js';

const heapMiB = Math.round(getHeapStatistics().heap_size_limit / (1024 * 1024));

test('no limit (0, undefined, or cgroup v1 "unlimited"): none, no warning', () => {
  for (const constrained of [0, undefined, 9223372036854771712]) {
    const m = memoryLimits(constrained);
    assert.equal(m.limitMiB, undefined);
    assert.equal(m.heapLimitMiB, heapMiB);
    assert.equal(m.warning, undefined);
  }
});

test('a limit the heap could fill gets a warning naming the flag; a roomy one does not', () => {
  const tight = memoryLimits(heapMiB * 1024 * 1024);
  assert.equal(tight.limitMiB, heapMiB);
  assert.match(tight.warning ?? '', /--max-old-space-size-percentage/);
  const roomy = memoryLimits(heapMiB * 2 * 1024 * 1024);
  assert.equal(roomy.warning, undefined);
});
