// The age-secret CLI as the demo uses it: the developer's keygen, a namespace's published recipients, encrypt for them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recipientFromKeygen } from './manifests.js';
import { runProgram } from './programs.js';

export interface AgeCliOptions {
  repoRoot: string;
  /** Where the identities and manifests live (the demo's private temp dir). */
  workDir: string;
  signal?: AbortSignal;
}

export interface Identity {
  file: string;
  recipient: string;
}

export class AgeSecretCli {
  readonly bin: string;

  constructor(private readonly options: AgeCliOptions) {
    this.bin = join(options.repoRoot, 'operators', 'agesecret', 'bin', 'age-secret.mjs');
  }

  private run(args: string[]) {
    return runProgram(process.execPath, {
      args: [this.bin, ...args],
      cwd: this.options.workDir,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
  }

  /** `age-secret keygen -o <name>.txt`: the key file (mode 0600) and its recipient. */
  async keygen(name: string): Promise<Identity> {
    const file = join(this.options.workDir, `${name}.txt`);
    const { stderr } = await this.run(['keygen', '-o', file]);
    return { file, recipient: recipientFromKeygen(stderr) };
  }

  /** `age-secret recipients -n NS --kubeconfig FILE`: what the namespace publishes (one age1... per line). */
  async recipients(namespace: string, kubeconfig: string): Promise<string[]> {
    const { stdout } = await this.run(['recipients', '-n', namespace, '--kubeconfig', kubeconfig]);
    return stdout.split('\n').filter(Boolean);
  }

  /**
   * `age-secret encrypt -n NS -r <mine> --file <file> --kubeconfig FILE`: the encrypted manifest (stdout), for the
   * namespace's published recipients and the given ones.
   */
  async encrypt(file: string, options: { namespace: string; kubeconfig: string; recipients: string[] }): Promise<string> {
    const { stdout } = await this.run([
      'encrypt',
      '-n',
      options.namespace,
      ...options.recipients.flatMap((r) => ['-r', r]),
      '--file',
      file,
      '--kubeconfig',
      options.kubeconfig,
    ]);
    return stdout;
  }

  readIdentity(identity: Identity): Promise<string> {
    return readFile(identity.file, 'utf8');
  }
}
