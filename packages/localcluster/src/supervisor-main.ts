// Entry point of the supervisor process: starts a local cluster, reports readiness in supervisor.json, stops on SIGTERM.
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startLocalCluster, type LocalCluster } from './cluster.js';
import type { ImageStoreDirs } from './images/image-store.js';
import type { ImageRegistry } from './kubelet/images.js';
import { writeSupervisorStatus } from './supervisor.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    name: { type: 'string' },
    'remove-data-dir': { type: 'boolean', default: false },
    'no-kubelet': { type: 'boolean', default: false },
    kubernetes: { type: 'string' },
    images: { type: 'string' },
    'image-runtime': { type: 'string' },
  },
});
const dataDir = values['data-dir'];
if (!dataDir) {
  console.error('supervisor: --data-dir is required');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
const stamp = () => new Date().toISOString();
let cluster: LocalCluster | undefined;
let stopping = false;

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${stamp()} ${signal}: stopping the cluster`);
  try {
    await cluster?.stop();
    if (!values['remove-data-dir']) writeSupervisorStatus(dataDir!, { state: 'stopped', pid: process.pid });
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGHUP', () => {}); // a closed terminal must not stop a background cluster

writeSupervisorStatus(dataDir, { state: 'starting', pid: process.pid });
try {
  cluster = await startLocalCluster({
    dataDir,
    removeDataDir: values['remove-data-dir'],
    kubelet: !values['no-kubelet'],
    ...(values.kubernetes ? { kubernetesVersion: values.kubernetes } : {}),
    ...(values.name ? { name: values.name } : {}),
    ...(values.images ? { images: JSON.parse(values.images) as ImageRegistry } : {}),
    ...(values['image-runtime'] ? { imageRuntime: JSON.parse(values['image-runtime']) as boolean | ImageStoreDirs } : {}),
    log: (line) => console.log(`${stamp()} ${line}`),
  });
  if (stopping) await cluster.stop();
  else writeSupervisorStatus(dataDir, { state: 'ready', pid: process.pid, kubeconfigPath: cluster.kubeconfigPath });
} catch (err) {
  console.error(`${stamp()} start failed:`, err);
  writeSupervisorStatus(dataDir, { state: 'failed', pid: process.pid, error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}
