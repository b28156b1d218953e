#!/usr/bin/env node
// CLI of @capstan/localcluster: `capstan-localcluster up | down | status | kubeconfig | list [--name NAME]`.
import { existsSync } from 'node:fs';

// In the repo the TypeScript sources are the truth (through tsx); a published build uses dist/.
const src = new URL('../src/cli.ts', import.meta.url);
const cli = existsSync(src)
  ? await (await import('tsx/esm/api')).tsImport(src.href, import.meta.url)
  : await import(new URL('../dist/cli.js', import.meta.url).href);
process.exitCode = await cli.runClusterCommand(process.argv.slice(2));
