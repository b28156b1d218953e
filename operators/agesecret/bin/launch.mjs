// Starts a command of this package (the age-secret CLI by default): in a checkout (src/ present) the TypeScript
// sources through tsx, so a stale dist/ never shadows them; in the published package the built dist/ on plain node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `entry`: the module below src/ (and dist/), without extension. */
export async function launch(entry = 'cli/main') {
  const built = new URL(`../dist/${entry}.js`, import.meta.url);
  const source = new URL(`../src/${entry}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(source))) {
    await import(built.href);
    return;
  }
  // Resolved from this package so the launcher works from any working directory.
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=development', '--import', tsx, fileURLToPath(source), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + 1 : 1);
  });
}
