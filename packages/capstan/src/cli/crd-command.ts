// `capstan crd <module> [--out FILE]`: write the CRD YAML of the custom resources a module defines (defineCustomResource).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCustomResource } from '../structs/schema/custom-resource.js';
import type { CustomResourceDefinition } from '../structs/schema/custom-resource.js';
import { toYaml } from '../structs/schema/yaml.js';
import { exitCodes, parseCommandArgs, type Command } from './command.js';

export const crdUsage = `usage: capstan crd <module.ts|.js> [--out FILE]
  Writes a CustomResourceDefinition (YAML) for every custom resource the module exports
  (values made with defineCustomResource, also inside exported arrays or objects), sorted by name.
  --out FILE   write to FILE instead of standard output
`;

/** Every defined custom resource among a module's exports (one level into arrays and plain objects), deduplicated. */
export function collectCrds(mod: Record<string, unknown>): CustomResourceDefinition[] {
  const found = new Map<string, CustomResourceDefinition>();
  const visit = (value: unknown, depth: number) => {
    if (isCustomResource(value)) {
      found.set(value.crd.metadata.name, value.crd);
    } else if (depth < 2 && value && typeof value === 'object') {
      for (const inner of Array.isArray(value) ? value : Object.values(value)) visit(inner, depth + 1);
    }
  };
  for (const value of Object.values(mod)) visit(value, 0);
  return [...found.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export const crdCommand: Command = {
  summary: 'write CRD YAML for the custom resources a module defines',
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, { command: 'crd', usage: crdUsage, options: { out: { type: 'string', short: 'o' } } });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      io.err(`capstan crd: ${positionals.length ? `one module expected, got ${positionals.length}` : 'which module?'}\n${crdUsage}`);
      return exitCodes.usage;
    }
    const path = resolve(positionals[0] as string);
    if (!existsSync(path)) {
      io.err(`capstan crd: module not found: ${positionals[0]}\n`);
      return exitCodes.usage;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      io.err(`capstan crd: cannot load ${positionals[0]}: ${(error as Error).message}\n`);
      return exitCodes.failure;
    }
    const crds = collectCrds(mod);
    if (!crds.length) {
      io.err(`capstan crd: ${positionals[0]} exports no custom resources (export the result of defineCustomResource(...))\n`);
      return exitCodes.failure;
    }
    const yaml = toYaml(crds);
    if (!values.out) {
      io.out(yaml);
      return exitCodes.ok;
    }
    try {
      await mkdir(dirname(resolve(values.out)), { recursive: true });
      await writeFile(values.out, yaml);
    } catch (error) {
      io.err(`capstan crd: cannot write ${values.out}: ${(error as Error).message}\n`);
      return exitCodes.failure;
    }
    io.err(`capstan crd: wrote ${crds.map((c) => c.metadata.name).join(', ')} to ${values.out}\n`);
    return exitCodes.ok;
  },
};
