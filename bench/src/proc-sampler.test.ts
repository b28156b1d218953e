// Reads this very process from /proc: sane memory and a CPU clock that moves under load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcSampler, readProc } from './proc-sampler.js';

test('readProc reports this process and undefined for a missing pid', () => {
  const sample = readProc(process.pid);
  assert.ok(sample);
  assert.ok(sample.rssBytes > 10 * 1024 * 1024, `rss ${sample.rssBytes}`);
  assert.ok(sample.hwmBytes >= sample.rssBytes);
  assert.equal(readProc(2 ** 22 + 17), undefined);
});

test('the sampler sees CPU time spent between start and stop', () => {
  const sampler = new ProcSampler(process.pid, 10).start();
  const until = Date.now() + 300;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  const usage = sampler.stop();
  assert.ok(x > 0);
  assert.ok(usage.cpuMs > 0, JSON.stringify(usage));
  assert.ok(usage.peakRssMb > 10);
  assert.ok(usage.wallMs >= 250);
});
