// Starts etcd on free loopback ports with its data in the cluster's directory.
import { get } from 'node:http';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { spawnManaged, type ManagedProcess } from './processes.js';
import { waitReady } from './readiness.js';

export interface Etcd {
  process: ManagedProcess;
  url: string;
  /** Resolves when etcd answers /health (rejects with its log if it exits first). */
  ready: Promise<void>;
}

export async function startEtcd(options: {
  binary: string;
  dir: string;
  logDir: string;
  pgidFile: string;
  timeoutMs: number;
}): Promise<Etcd> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const logFile = join(options.logDir, 'etcd.log');
  const proc = spawnManaged({
    name: 'etcd',
    command: options.binary,
    args: [
      `--data-dir=${join(options.dir, 'etcd')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      '--name=default',
      '--log-level=warn',
      '--logger=zap',
    ],
    env: { PATH: '/usr/bin:/bin', ETCD_UNSUPPORTED_ARCH: 'arm64' },
    logFile,
    pgidFile: options.pgidFile,
  });
  const ready = waitReady({ process: proc, logFile, timeoutMs: options.timeoutMs, probe: () => etcdHealthy(`${url}/health`) });
  ready.catch(() => {}); // observed by the caller; never an unhandled rejection
  return { process: proc, url, ready };
}

/** Whether etcd's /health at this URL says it is healthy. */
export function etcdHealthy(url: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 1000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && text.includes('true')));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
