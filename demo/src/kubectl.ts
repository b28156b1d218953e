// kubectl with the demo cluster's kubeconfig: the same commands the narration tells the reader to type.
import { parseAllDocuments } from 'yaml';
import { runProgram } from './programs.js';
import { kubectlPath } from '@capstan/localcluster';

export interface KubectlOptions {
  kubeconfigPath: string;
  cwd: string;
  signal?: AbortSignal;
}

export type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } & Record<string, unknown>;

export class Kubectl {
  constructor(private readonly options: KubectlOptions) {}

  /** How the reader runs the same command by hand: the cluster's own kubectl, the server's version. */
  command(args: string): string {
    return `${kubectlPath(this.options.kubeconfigPath)} --kubeconfig ${this.options.kubeconfigPath} ${args}`;
  }

  async run(args: string[], input?: string): Promise<string> {
    const { stdout } = await runProgram(kubectlPath(this.options.kubeconfigPath), {
      args: ['--kubeconfig', this.options.kubeconfigPath, ...args],
      cwd: this.options.cwd,
      ...(input === undefined ? {} : { input }),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    return stdout;
  }

  applyKustomization(dir: string): Promise<string> {
    return this.run(['apply', '-k', dir]);
  }

  /** `kubectl apply -f -`: manifests that must not touch the disk (the key Secret) go through stdin. */
  applyText(yamlText: string, namespace?: string): Promise<string> {
    return this.run(['apply', ...(namespace ? ['-n', namespace] : []), '-f', '-'], yamlText);
  }

  /** The documents `kubectl kustomize <dir>` renders (what `apply -k` would send). */
  async kustomize(dir: string): Promise<Manifest[]> {
    const text = await this.run(['kustomize', dir]);
    return parseAllDocuments(text)
      .map((d) => d.toJS() as Manifest)
      .filter((d) => d && typeof d === 'object');
  }
}
