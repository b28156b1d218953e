// Unit tests of the FIFO queue: order kept across the compaction of its moving head.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fifo } from './fifo.js';

test('items leave in the order they came, however pushes and shifts interleave', () => {
  // Each case: pushes of n items, then shifts of m, repeated; past 1024 shifted items the array is compacted.
  const cases: Array<[string, Array<[push: number, shift: number]>]> = [
    ['empty', [[0, 1]]],
    ['one', [[1, 1]]],
    [
      'drained twice',
      [
        [3, 3],
        [2, 2],
      ],
    ],
    [
      'a backlog compacted while half full',
      [
        [3000, 1500],
        [10, 1510],
      ],
    ],
    ['more shifts than items', [[2, 5]]],
  ];
  for (const [name, rounds] of cases) {
    const fifo = new Fifo<number>();
    const model: number[] = [];
    let next = 0;
    for (const [push, shift] of rounds) {
      for (let i = 0; i < push; i++) {
        fifo.push(next);
        model.push(next++);
      }
      for (let i = 0; i < shift; i++) assert.equal(fifo.shift(), model.shift(), name);
      assert.equal(fifo.length, model.length, name);
    }
  }
});
