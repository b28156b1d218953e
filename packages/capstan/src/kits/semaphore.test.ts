// Unit tests of the semaphore: the bound holds, waiters are served in order, double release is harmless.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  test('never more than capacity at once, and every task runs', async () => {
    const sem = new Semaphore(3);
    let running = 0;
    let peak = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        sem.run(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          done++;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.equal(done, 50);
    assert.equal(sem.inUse, 0);
    assert.equal(sem.waiting, 0);
  });

  test('waiters are served first come, first served, across many (head compaction)', async () => {
    const sem = new Semaphore(1);
    const first = await sem.acquire();
    const order: number[] = [];
    const waiters = Array.from({ length: 3000 }, (_, i) =>
      sem.acquire().then((release) => {
        order.push(i);
        release();
      }),
    );
    assert.equal(sem.waiting, 3000);
    first();
    await Promise.all(waiters);
    assert.deepEqual(
      order,
      Array.from({ length: 3000 }, (_, i) => i),
    );
    assert.equal(sem.inUse, 0);
  });

  test('releasing twice frees one slot only', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    release();
    release();
    assert.equal(sem.inUse, 0);
    await sem.acquire();
    assert.equal(sem.inUse, 1);
  });

  test('capacity below 1 is refused', () => {
    assert.throws(() => new Semaphore(0), RangeError);
  });
});
