// Where the repository is: operators run from its sources, figures land in its test-artifacts.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The suite's environment for operator processes: no KUBECONFIG of ours leaks in (each gets its own flag). */
export function operatorEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.KUBECONFIG;
  return env;
}
