// The age-secret CLI as the demo uses it: keygen for the two identities, encrypt for both recipients.
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

  /** `age-secret encrypt --file <file> -r <r1> -r <r2>`: the encrypted manifest (stdout). */
  async encrypt(file: string, recipients: string[]): Promise<string> {
    const { stdout } = await this.run(['encrypt', '--file', file, ...recipients.flatMap((r) => ['-r', r])]);
    return stdout;
  }

  readIdentity(identity: Identity): Promise<string> {
    return readFile(identity.file, 'utf8');
  }
}
