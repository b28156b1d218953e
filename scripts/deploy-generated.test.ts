// deploy/agesecret and deploy/legacy-handshake are what `capstan generate` makes of the operators' install.ts:
// a change to an operator's declarations without `npm run generate` fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

for (const operator of ['agesecret', 'legacy-handshake']) {
  test(`deploy/${operator} is up to date with operators/${operator}/src/install.ts (npm run generate)`, async () => {
    const args = ['--conditions=development', '--import', 'tsx', 'packages/capstan/bin/capstan.mjs', 'generate'];
    const result = await run(process.execPath, [...args, `operators/${operator}/src/install.ts`, '-o', `deploy/${operator}`, '--check'], {
      cwd: root,
      encoding: 'utf8',
    }).catch((error: { stderr?: string }) => assert.fail(`out of date: run npm run generate\n${error.stderr ?? String(error)}`));
    assert.match(result.stderr, /is up to date/);
  });
}
