// Unit tests of the operator process entry: exit codes, usage errors, stop signals, credentials and production options.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  processKubeconfig,
  productionRunOptions,
  runOperatorProcess,
  type OperatorProcess,
  type ProcessIo,
  type ProcessSettings,
} from './process-entry.js';

class BadFlag extends Error {}

const base: ProcessSettings = { healthPort: 0, leaseName: 'demo-leader', standalone: false, logLevel: 'error' };

function fakeIo(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: ((signal: string) => void) | undefined;
  const io: ProcessIo = {
    argv,
    env,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    onStop: (l) => {
      stop = l;
    },
  };
  return { io, out, err, stop: (signal: string) => stop?.(signal) };
}

function op(run: OperatorProcess<ProcessSettings>['run']): OperatorProcess<ProcessSettings> {
  return {
    name: 'demo-operator',
    usage: 'usage: demo-operator [--bad]',
    parse(argv) {
      if (argv.includes('--bad')) throw new BadFlag('--bad is not a flag');
      if (argv.includes('--boom')) throw new TypeError('a bug in parsing');
      return argv.includes('--help') ? { help: true } : { settings: { ...base } };
    },
    isUsageError: (error) => error instanceof BadFlag,
    run,
  };
}

describe('runOperatorProcess', () => {
  test('a usage error exits 2 with the message and the usage, without running', async () => {
    const f = fakeIo(['--bad']);
    let ran = false;
    assert.equal(
      await runOperatorProcess(
        op(async () => {
          ran = true;
        }),
        f.io,
      ),
      2,
    );
    assert.equal(ran, false);
    assert.match(f.err.join(''), /^demo-operator: --bad is not a flag\n\nusage: demo-operator/);
  });

  test("an error of parse that is not the user's propagates (a bug is not a usage error)", async () => {
    await assert.rejects(
      runOperatorProcess(
        op(async () => {}),
        fakeIo(['--boom']).io,
      ),
      TypeError,
    );
  });

  test('--help prints the usage and exits 0', async () => {
    const f = fakeIo(['--help']);
    assert.equal(
      await runOperatorProcess(
        op(async () => {}),
        f.io,
      ),
      0,
    );
    assert.equal(f.out.join(''), 'usage: demo-operator [--bad]\n');
  });

  test('a stop signal aborts the run signal; a graceful return exits 0', async () => {
    const f = fakeIo([]);
    const code = runOperatorProcess(
      op(async ({ signal }) => {
        f.stop('SIGTERM');
        assert.equal(signal.aborted, true);
      }),
      f.io,
    );
    assert.equal(await code, 0);
  });

  test('a failing run exits 1', async () => {
    assert.equal(
      await runOperatorProcess(
        op(async () => {
          throw new Error('cannot connect');
        }),
        fakeIo([]).io,
      ),
      1,
    );
  });

  test('the run gets the credentials the environment points at', async () => {
    let seen: unknown;
    await runOperatorProcess(
      op(async ({ kubeconfig }) => {
        seen = kubeconfig;
      }),
      fakeIo([], { KUBERNETES_SERVICE_HOST: '10.0.0.1', CAPSTAN_POD_ROOT: '/tmp/pod' }).io,
    );
    assert.deepEqual(seen, { inCluster: true, host: '10.0.0.1', root: '/tmp/pod' });
  });
});

describe('processKubeconfig', () => {
  test("controller-runtime's order: the flag, then $KUBECONFIG, then in-cluster (with the simulator root), then ~/.kube/config", () => {
    assert.deepEqual(processKubeconfig('/k/config', { KUBERNETES_SERVICE_HOST: 'x' }), { path: '/k/config' });
    assert.deepEqual(processKubeconfig(undefined, { KUBECONFIG: import.meta.filename, KUBERNETES_SERVICE_HOST: 'x' }), {
      path: import.meta.filename,
    });
    assert.deepEqual(processKubeconfig(undefined, { KUBERNETES_SERVICE_HOST: 'x', KUBERNETES_SERVICE_PORT: '6443' }), {
      inCluster: true,
      host: 'x',
      port: '6443',
    });
    assert.deepEqual(processKubeconfig(undefined, { KUBERNETES_SERVICE_HOST: 'x', CAPSTAN_POD_ROOT: '/r' }), {
      inCluster: true,
      host: 'x',
      root: '/r',
    });
    assert.deepEqual(processKubeconfig(undefined, { KUBECONFIG: `/nonexistent:${import.meta.filename}` }), { path: import.meta.filename });
    assert.equal(processKubeconfig(undefined, { KUBECONFIG: `${import.meta.filename}:${import.meta.dirname}` }), 'default');
    assert.deepEqual(processKubeconfig(undefined, { HOME: '/home/x' }), { path: '/home/x/.kube/config' });
  });
});

describe('productionRunOptions', () => {
  test('port 0 serves no probes; a lease namespace elects unless standalone', () => {
    assert.deepEqual(productionRunOptions(base), {});
    assert.deepEqual(productionRunOptions({ ...base, healthPort: 8080, leaseNamespace: 'ops', instance: 'pod-1' }), {
      probes: { host: '0.0.0.0', port: 8080 },
      instance: 'pod-1',
      leaderElection: { namespace: 'ops', leaseName: 'demo-leader' },
    });
    assert.deepEqual(
      productionRunOptions({
        ...base,
        healthPort: 9,
        healthHost: '127.0.0.5',
        leaseNamespace: 'ops',
        standalone: true,
        stuckWorkerMs: 5000,
      }),
      {
        probes: { host: '127.0.0.5', port: 9 },
        leaderElection: false,
        health: { stuckWorkerMs: 5000 },
      },
    );
  });
});
