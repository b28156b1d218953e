// The CLI end to end: up in the background, kubectl with its kubeconfig, status, down, nothing left behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isAlive } from './supervisor.js';
import { waitFor } from './wait.js';
import { kubectlPath } from './kubectl.js';
import { DEFAULT_KUBERNETES_VERSION } from './versions.js';

const run = promisify(execFile);
const bin = join(fileURLToPath(import.meta.url), '..', '..', 'bin', 'capstan-localcluster.mjs');
const stateDir = mkdtempSync(join(tmpdir(), 'capstan-cli-test-'));
const env = { ...process.env, CAPSTAN_STATE_DIR: stateDir };
const cli = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, timeout: 600_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};

after(async () => {
  await cli('down', '--name', 'clitest');
  rmSync(stateDir, { recursive: true, force: true });
});

test('up, kubectl get ns, status, kubeconfig, down', async () => {
  const up = await cli('up', '--name', 'clitest', '--no-kubelet');
  assert.equal(up.code, 0, up.stderr);
  const kubeconfig = up.stdout.trim();
  assert.equal(kubeconfig, join(stateDir, 'clitest', 'kubeconfig.yaml'));
  const { stdout } = await run(kubectlPath(kubeconfig), ['--kubeconfig', kubeconfig, 'get', 'ns', 'default', '-o', 'name']);
  assert.equal(stdout.trim(), 'namespace/default');
  const again = await cli('up', '--name', 'clitest');
  assert.equal(again.code, 0);
  assert.match(again.stderr, /already running/);
  const status = await cli('status', '--name', 'clitest');
  assert.equal(status.code, 0);
  assert.match(status.stdout, /running \(pid (\d+)\)/);
  assert.match(status.stdout, new RegExp(`Kubernetes v${DEFAULT_KUBERNETES_VERSION.replaceAll('.', '\\.')}`));
  assert.match(status.stdout, new RegExp(`kubectl: +${kubectlPath(kubeconfig)}`));
  // The cluster's own kubectl, through the CLI: client and server report the same real version.
  const version = await cli('kubectl', '--name', 'clitest', 'version', '-o', 'json');
  assert.equal(version.code, 0, version.stderr);
  const reported = JSON.parse(version.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
  assert.equal(reported.serverVersion.gitVersion, `v${DEFAULT_KUBERNETES_VERSION}`);
  assert.equal(reported.clientVersion.gitVersion, `v${DEFAULT_KUBERNETES_VERSION}`);
  const pid = Number(/pid (\d+)/.exec(status.stdout)?.[1]);
  assert.equal((await cli('kubeconfig', '--name', 'clitest')).stdout.trim(), kubeconfig);
  const pgids = readFileSync(join(stateDir, 'clitest', 'pgids'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number);
  const down = await cli('down', '--name', 'clitest');
  assert.equal(down.code, 0);
  assert.equal(isAlive(pid), false);
  await waitFor(() => pgids.every((g) => !isAlive(g)), { timeoutMs: 10_000, what: 'control plane stopped' });
  assert.equal(existsSync(join(stateDir, 'clitest')), false);
  const after = await cli('kubeconfig', '--name', 'clitest');
  assert.equal(after.code, 1);
  assert.match(after.stderr, /not running/);
});

test('bad usage is exit code 2 with a message', async () => {
  const bad = await cli('frobnicate');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const badName = await cli('up', '--name', 'Bad Name');
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /invalid --name/);
  const badVersion = await cli('up', '--name', 'clitest', '--kubernetes', '1.20');
  assert.equal(badVersion.code, 2);
  assert.match(badVersion.stderr, /unsupported Kubernetes version "1\.20": supported minors are 1\.35, 1\.36, 1\.37/);
  const notRunning = await cli('kubectl', '--name', 'nosuchcluster', 'get', 'ns');
  assert.equal(notRunning.code, 1);
  assert.match(notRunning.stderr, /cluster "nosuchcluster" is not running/);
});
