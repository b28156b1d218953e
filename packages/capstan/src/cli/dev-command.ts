// `capstan dev <module>`: the local cluster (started or reused), the module's CRDs applied, the operator run and restarted on changes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodes, parseCommandArgs, type Command, type CommandIo } from './command.js';
import { LOCALCLUSTER_PACKAGE } from './cluster-command.js';

export const devUsage = `usage: capstan dev <module.ts|.js> [-n NAMESPACE]... [-A] [--kubeconfig PATH] [--cluster NAME]
  The inner loop: starts the local cluster (or reuses it; --kubeconfig: that cluster instead), applies the CRDs
  the module defines, runs the operator with --dev (debug logs, standalone) and restarts it when a file of the
  module's directory changes. Ctrl-C stops the operator (the cluster keeps running: capstan cluster down).
`;

/** The capstan launcher, the same from src/cli and dist/cli. */
const launcher = fileURLToPath(new URL('../../bin/capstan.mjs', import.meta.url));

/** node arguments to run the capstan CLI on a module: TypeScript modules need tsx when capstan runs from dist/. */
const cliArgs = (module: string, args: string[]) => [...(module.endsWith('.ts') ? ['--import', 'tsx'] : []), launcher, ...args];

interface LocalCluster {
  runClusterCommand(argv: string[], io: { out: (line: string) => void; err: (line: string) => void }): Promise<number>;
  kubectlPath(kubeconfigPath?: string): string;
}

/** Runs a command to completion; its output goes to `io.err`. Resolves with its exit code. */
function runChild(command: string, args: string[], io: CommandIo, cwd: string): Promise<number | null> {
  return new Promise((resolveExit) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.err(d.toString()));
    child.stderr.on('data', (d: Buffer) => io.err(d.toString()));
    child.on('exit', (code) => resolveExit(code));
  });
}

export const devCommand: Command = {
  summary: 'run an operator module on the local cluster, restarting it on changes',
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, {
      command: 'dev',
      usage: devUsage,
      options: {
        namespace: { type: 'string', short: 'n', multiple: true },
        'all-namespaces': { type: 'boolean', short: 'A' },
        kubeconfig: { type: 'string' },
        cluster: { type: 'string', default: 'default' },
      },
    });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      io.err(`capstan dev: which operator module?\n${devUsage}`);
      return exitCodes.usage;
    }
    const module = resolve(positionals[0]!);
    if (!existsSync(module)) {
      io.err(`capstan dev: module not found: ${positionals[0]}\n`);
      return exitCodes.usage;
    }
    let local: LocalCluster;
    try {
      local = (await import(LOCALCLUSTER_PACKAGE)) as LocalCluster;
    } catch (error) {
      io.err(`capstan dev: @capstan/localcluster is not installed (npm install -D @capstan/localcluster): ${(error as Error).message}\n`);
      return exitCodes.unavailable;
    }
    let kubeconfig = values.kubeconfig;
    if (!kubeconfig) {
      const out: string[] = [];
      const code = await local.runClusterCommand(['up', '--name', values.cluster], {
        out: (l) => out.push(l),
        err: (l) => io.err(`${l}\n`),
      });
      kubeconfig = out.at(-1)?.trim();
      if (code !== 0 || !kubeconfig) return exitCodes.failure;
    }
    const scope = values['all-namespaces'] ? ['-A'] : (values.namespace ?? []).flatMap((n) => ['-n', n]);
    const work = mkdtempSync(join(tmpdir(), 'capstan-dev-'));
    const cwd = dirname(module);
    let child: ChildProcess | undefined;
    let restart: (() => void) | undefined;
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(cwd, { recursive: true }, (_event, file) => {
        const name = String(file ?? '');
        if (!/\.(ts|js|mjs|json)$/.test(name) || /(^|\/)(node_modules|dist)\//.test(name)) return;
        io.err(`capstan dev: ${relative(process.cwd(), join(cwd, name))} changed: restarting\n`);
        restart?.();
      });
      for (let round = 1; !io.signal.aborted; round++) {
        // Fresh processes each round: the module and everything it imports are loaded anew.
        const crds = join(work, 'crds.yaml');
        rmSync(crds, { force: true });
        const wrote = await runChild(process.execPath, cliArgs(module, ['crd', module, '--out', crds]), io, cwd);
        if (wrote === 0 && existsSync(crds) && readFileSync(crds, 'utf8').trim()) {
          const kubectlArgs = [
            'apply',
            '--server-side',
            '--force-conflicts',
            '--field-manager',
            'capstan-dev',
            '-f',
            crds,
            '--kubeconfig',
            kubeconfig,
          ];
          const applied = await runChild(local.kubectlPath(kubeconfig), kubectlArgs, io, cwd);
          if (applied !== 0) io.err('capstan dev: applying the CRDs failed (see above); running the operator anyway\n');
        }
        io.err(`capstan dev: starting the operator (round ${round})\n`);
        child = spawn(process.execPath, cliArgs(module, ['run', module, '--dev', '--kubeconfig', kubeconfig, ...scope]), {
          cwd,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.on('data', (d: Buffer) => io.err(d.toString()));
        child.stderr!.on('data', (d: Buffer) => io.err(d.toString()));
        const running = child;
        const exited = new Promise<number | null>((done) => running.on('exit', (code) => done(code)));
        const next = new Promise<'change' | 'stop' | 'exit'>((done) => {
          restart = () => setTimeout(() => done('change'), 300);
          io.signal.addEventListener('abort', () => done('stop'), { once: true });
          void exited.then(() => done('exit'));
        });
        const why = await next;
        if (why === 'exit') {
          io.err(`capstan dev: the operator exited (${await exited}); waiting for a change to restart it\n`);
          const after = await new Promise<'change' | 'stop'>((done) => {
            restart = () => setTimeout(() => done('change'), 300);
            io.signal.addEventListener('abort', () => done('stop'), { once: true });
          });
          if (after === 'stop') break;
          continue;
        }
        running.kill('SIGTERM');
        await exited;
        if (why === 'stop') break;
      }
      return exitCodes.ok;
    } finally {
      watcher?.close();
      if (child && child.exitCode === null) child.kill('SIGKILL');
      rmSync(work, { recursive: true, force: true });
    }
  },
};
