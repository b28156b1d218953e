// This capstan's version (its package.json): what generated projects depend on and generated files name.
import { readFileSync } from 'node:fs';

export function ownVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
