// Loading an operator module: its default export is an Operator, or a factory given the CLI's settings.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeConfigSource } from '../client/surface.js';
import { ConfigurationError } from '../structs/errors.js';
import type { Logger } from '../core/logging.js';
import type { Operator } from '../core/types.js';

/** What `capstan run` passes to an operator module's default-export factory. */
export interface CliSettings {
  /** The namespaces to watch (`--namespace`, patterns allowed); empty when watching all of them. */
  namespaces: string[];
  /** Whether to watch all namespaces (`--all-namespaces`, or no `--namespace` given). */
  allNamespaces: boolean;
  /** Where the cluster is (`--kubeconfig`, else the environment's or the pod's). */
  kubeconfig: KubeConfigSource;
  /** The CLI's logger, at the level its flags asked for. */
  logger: Logger;
  /** `--dev`: local development (verbose, standalone: no leader election). */
  dev: boolean;
  /** The process environment, for factories that read their own settings (the library never does). */
  env: Record<string, string | undefined>;
}

/** What an operator module may default-export for `capstan run`: a function from the CLI's settings to an Operator. */
export type OperatorModuleFactory = (settings: CliSettings) => Operator | Promise<Operator>;

function isOperator(v: unknown): v is Operator {
  return !!v && typeof v === 'object' && typeof (v as Operator).run === 'function' && typeof (v as Operator).resource === 'function';
}

export async function loadOperatorModule(path: string, settings: CliSettings): Promise<Operator> {
  const full = resolve(path);
  if (!existsSync(full)) throw new ConfigurationError(`operator module not found: ${path}`);
  let mod: { default?: unknown; operator?: unknown };
  try {
    mod = (await import(pathToFileURL(full).href)) as typeof mod;
  } catch (error) {
    throw new ConfigurationError(`cannot load ${path}: ${(error as Error).message}`, { cause: error });
  }
  const exported = mod.default ?? mod.operator;
  if (isOperator(exported)) return exported;
  if (typeof exported === 'function') {
    const made = await (exported as OperatorModuleFactory)(settings);
    if (isOperator(made)) return made;
    throw new ConfigurationError(`the default export of ${path} is a function but did not return an Operator (createOperator(...))`);
  }
  throw new ConfigurationError(`${path} must default-export an Operator (createOperator(...)) or a function (settings) => Operator`);
}
