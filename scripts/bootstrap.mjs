// Makes `npm run demo` and `npm test` work straight after a clone: installs the workspace's packages once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
if (!existsSync(join(root, 'node_modules', 'tsx', 'package.json'))) {
  console.log('[bootstrap] installing the workspace packages (npm ci), once');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[bootstrap] npm ci failed; run it yourself to see why');
    process.exit(result.status ?? 1);
  }
}
