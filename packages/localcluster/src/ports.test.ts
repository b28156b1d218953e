// Unit tests of port choice: below the ephemeral range, free, and the range read from the kernel's file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { canListen, ephemeralRangeStart, freePort } from './ports.js';

describe('freePort', () => {
  test('gives a listenable port below the ephemeral range, so no outgoing connection can take it', async () => {
    const start = ephemeralRangeStart();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      assert.ok(port >= 10_000 && port < start, `${port} is below ${start}`);
      assert.equal(await canListen(port), true);
    }
  });

  test('canListen is false while a server holds the port', async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      assert.equal(await canListen(port), false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('the range start comes from the kernel file, with a default when it is unreadable', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ports-')), 'range');
    writeFileSync(file, '40000\t60999\n');
    assert.equal(ephemeralRangeStart(file), 40_000);
    assert.equal(ephemeralRangeStart('/nonexistent/range'), 32_768);
  });
});
