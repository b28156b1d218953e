// Unit tests of watch stream parsing: split lines, chunk boundaries, ERROR events as typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { GoneError } from '../structs/errors.js';
import { parseWatchStream } from './watch-stream.js';

function stream(chunks: string[]): IncomingMessage {
  const s = new PassThrough();
  for (const c of chunks) s.write(c);
  s.end();
  return s as unknown as IncomingMessage;
}

test('events split across chunks are reassembled', async () => {
  const a = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } });
  const b = JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } });
  const events = [];
  for await (const e of parseWatchStream(stream([a.slice(0, 10), `${a.slice(10)}\n${b.slice(0, 5)}`, `${b.slice(5)}\n`]), 't'))
    events.push(e);
  assert.deepEqual(
    events.map((e) => [e.type, e.object.metadata.resourceVersion]),
    [
      ['ADDED', '1'],
      ['BOOKMARK', '9'],
    ],
  );
});

test('an ERROR 410 event becomes a GoneError carrying no object content', async () => {
  const err = JSON.stringify({
    type: 'ERROR',
    object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' },
  });
  await assert.rejects(
    async () => {
      for await (const _ of parseWatchStream(stream([`${err}\n`]), 'v1 configmaps')) {
        /* drain */
      }
    },
    (e: unknown) => e instanceof GoneError && e.status === 410 && e.reason === 'Expired',
  );
});
