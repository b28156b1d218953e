// Start/stop of private clusters: everything runs while started, and nothing (process or directory) is left afterwards.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startLocalCluster } from './cluster.js';
import { isAlive } from './supervisor.js';
import { waitFor } from './wait.js';

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};
const pgids = (dir: string) => readFileSync(join(dir, 'pgids'), 'utf8').split('\n').filter(Boolean).map(Number);

describe('local cluster lifecycle', () => {
  test('start then stop leaves no processes and no directory', async () => {
    const cluster = await startLocalCluster({ kubelet: true });
    const dir = cluster.dir;
    const api = cluster.adminApi();
    const ns = await api.get<{ metadata: { name: string } }>('/api/v1/namespaces/default');
    assert.equal(ns.metadata.name, 'default');
    // A pod process too, so that stop() has something of the kubelet's to kill.
    await api.post('/api/v1/namespaces/default/pods', {
      metadata: { name: 'sleeper' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }] },
    });
    await waitFor(
      async () => (await api.get<{ status?: { phase?: string } }>('/api/v1/namespaces/default/pods/sleeper')).status?.phase === 'Running',
      { timeoutMs: 60_000, what: 'pod running' },
    );
    const groups = pgids(dir);
    assert.ok(groups.length >= 4, `etcd, apiserver, controller-manager and the pod: ${groups.join(',')}`);
    assert.ok(groups.every(groupAlive));
    await cluster.stop();
    assert.equal(existsSync(dir), false, `${dir} removed`);
    await waitFor(() => groups.every((g) => !groupAlive(g)), { timeoutMs: 10_000, what: 'all process groups gone' });
  });

  test('a killed owner leaves no processes and no directory (pdeathsig + reaper)', async () => {
    const script = join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', 'start-and-wait.ts');
    const child = spawn(process.execPath, ['--conditions=development', '--import', import.meta.resolve('tsx'), script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const dir = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => line.startsWith('DIR ') && resolve(line.slice(4)));
      child.on('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    const groups = pgids(dir);
    assert.ok(groups.length >= 3);
    child.kill('SIGKILL');
    await waitFor(() => !isAlive(child.pid!) || child.exitCode !== null || child.signalCode !== null, {
      timeoutMs: 10_000,
      what: 'owner dead',
    });
    await waitFor(() => groups.every((g) => !groupAlive(g)), { timeoutMs: 15_000, what: 'control plane gone' });
    await waitFor(() => !existsSync(dir), { timeoutMs: 15_000, what: `${dir} removed` });
  });
});
