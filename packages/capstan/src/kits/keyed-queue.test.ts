// Unit tests of the keyed queue: serial per key, parallel across keys, coalescing, the global bound, idle slots freed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedQueue } from './keyed-queue.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

test('serial per key, bursts coalesced into one more run, slots freed when idle', async () => {
  const runs: string[] = [];
  let active = 0;
  let maxActive = 0;
  const first = gate();
  const started = gate();
  const q = new KeyedQueue<string>({
    concurrency: 4,
    worker: async (key) => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push(key);
      if (runs.length === 1) {
        started.open();
        await first.opened;
      }
      active--;
    },
  });
  q.add('a');
  await started.opened;
  for (let i = 0; i < 10; i++) q.add('a'); // a burst while running
  first.open();
  await q.idle();
  assert.deepEqual(runs, ['a', 'a'], 'the burst became exactly one more run');
  assert.equal(maxActive, 1);
  assert.equal(q.size, 0, 'idle keys are released');
});

test('parallel across keys within the global bound', async () => {
  let active = 0;
  let maxActive = 0;
  const release = gate();
  const q = new KeyedQueue<number>({
    concurrency: 3,
    worker: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      if (active === 3) release.open();
      await release.opened;
      active--;
    },
  });
  for (let i = 0; i < 8; i++) q.add(i);
  await q.idle();
  assert.equal(maxActive, 3, 'three keys ran at once, never more');
});

test('errors do not stop the queue; stop() drops scheduled runs', async () => {
  const errors: unknown[] = [];
  let runs = 0;
  const q = new KeyedQueue<string>({
    concurrency: 1,
    worker: async () => {
      runs++;
      throw new Error('boom');
    },
    onError: (_k, e) => errors.push(e),
  });
  q.add('x');
  await q.idle();
  q.add('y');
  await q.idle();
  q.addAfter('z', 60_000);
  assert.equal(q.size, 1);
  await q.stop();
  assert.equal(q.size, 0);
  assert.equal(runs, 2);
  assert.equal(errors.length, 2);
});

test('idle() resolves once a large backlog of keys has drained, each key run once', async () => {
  const runs = new Map<number, number>();
  const queue = new KeyedQueue<number>({
    concurrency: 4,
    worker: async (key) => {
      runs.set(key, (runs.get(key) ?? 0) + 1);
      await Promise.resolve();
    },
  });
  for (let key = 0; key < 5000; key++) queue.add(key);
  await queue.idle();
  assert.equal(runs.size, 5000);
  assert.ok([...runs.values()].every((n) => n === 1));
  assert.equal(queue.size, 0);
  assert.equal(queue.running, 0);
});

describe('queue wait (fake clock)', () => {
  test('a coalesced burst waits from its earliest enqueue, measured when the worker starts', async () => {
    let now = 1000;
    const waits: number[] = [];
    const first = gate();
    const started = gate();
    const q = new KeyedQueue<string>({
      concurrency: 2,
      now: () => now,
      worker: async (_key, { waitMs }) => {
        waits.push(waitMs);
        if (waits.length === 1) {
          started.open();
          await first.opened;
        }
      },
    });
    q.add('a');
    await started.opened;
    now = 2000;
    q.add('a'); // the earliest unprocessed enqueue
    now = 3000;
    q.add('a'); // coalesced: keeps 2000
    now = 5000;
    first.open();
    await q.idle();
    assert.deepEqual(waits, [0, 3000]);
  });

  test('waiting for a free worker counts; a scheduled run waits from when it falls due', async () => {
    let now = 0;
    const waits = new Map<string, number>();
    const busy = gate();
    const started = gate();
    const q = new KeyedQueue<string>({
      concurrency: 1,
      now: () => now,
      worker: async (key, { waitMs }) => {
        waits.set(key, waitMs);
        if (key === 'x') {
          started.open();
          await busy.opened;
        }
      },
    });
    q.add('x');
    await started.opened;
    now = 100;
    q.add('y'); // waits for the only worker
    now = 400;
    busy.open();
    await q.idle();
    assert.equal(waits.get('y'), 300);

    q.addAfter('z', 5);
    now = 10_000; // the clock moves on before the scheduled run falls due
    await waitForRun(() => waits.has('z'));
    assert.equal(waits.get('z'), 0, 'not 10000: the delay asked for is not queue wait');
  });
});

/** Polls until the condition holds (bounded: a real timer fires the scheduled run). */
async function waitForRun(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('the scheduled run never started');
    await new Promise((r) => setImmediate(r));
  }
}
