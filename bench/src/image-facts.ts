// `npm run bench:images`: the four images' size, start-up time to Ready and idle RSS, run by the image runtime.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultImageStoreDirs, findLayoutImage, startLocalCluster, type LocalCluster } from '@capstan/localcluster';
import { repoRoot } from './operator-process.js';

const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`[images] ${line}\n`);

interface PodList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

/** One image's facts. */
export interface ImageFacts {
  image: string;
  deployment: string;
  /** Compressed layers (what a registry sends). */
  compressedMB: number;
  /** The unpacked root filesystem. */
  unpackedMB: number;
  /** kubectl apply -> pod Ready, the image unpacked for the first time on this node. */
  readyColdS: number;
  /** kubectl rollout restart -> the new pod Ready (image already unpacked). */
  readyWarmS: number;
  /** VmRSS of the container's process after 20 s idle. */
  idleRssMB: number;
}

async function kubectl(cluster: LocalCluster, args: string[]): Promise<string> {
  return (await run(cluster.info.kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], { cwd: repoRoot, maxBuffer: 16 << 20 }))
    .stdout;
}

async function readyPod(cluster: LocalCluster, namespace: string, selector: string, not: string[] = []): Promise<string> {
  for (const deadline = Date.now() + 300_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const pods = JSON.parse(await kubectl(cluster, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json'])) as PodList;
    const ready = pods.items.find(
      (p) => !not.includes(p.metadata.name) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready) return ready.metadata.name;
  }
  throw new Error(`no Ready pod for ${selector} in ${namespace} within 300 s`);
}

async function containerRss(cluster: LocalCluster, pod: string): Promise<number> {
  const list = JSON.parse((await run('runc', ['--root', join(cluster.dir, 'runc'), 'list', '-f', 'json'])).stdout) as {
    pid: number;
    bundle: string;
  }[];
  const entry = list.find((c) => c.bundle.includes(`_${pod}_`));
  if (!entry) throw new Error(`no runc container for pod ${pod}`);
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry.pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 102.4) / 10;
}

const DEPLOYABLES = [
  {
    image: 'agesecret-operator',
    dir: 'deploy/agesecret',
    namespace: 'agesecret-system',
    selector: 'app.kubernetes.io/name=agesecret-operator',
    deployment: 'agesecret-operator',
  },
  {
    image: 'legacy-handshake-operator',
    dir: 'deploy/legacy-handshake',
    namespace: 'legacy-operator-system',
    selector: 'app.kubernetes.io/name=legacy-handshake-operator',
    deployment: 'legacy-handshake-operator',
  },
  { image: 'app', dir: 'deploy/numbers', namespace: 'development', selector: 'app=application', deployment: 'application' },
  {
    image: 'legacy-mock',
    dir: 'deploy/legacy-mock',
    namespace: 'legacy-automation-demo',
    selector: 'app=legacy-mock',
    deployment: 'legacy-mock',
  },
];

const store = defaultImageStoreDirs();
const cluster = await startLocalCluster({ imageRuntime: true, log });
const facts: ImageFacts[] = [];
try {
  // The numbers app waits for its Secret; the handshake needs the operator first (the order above).
  await kubectl(cluster, ['create', 'namespace', 'development']);
  await kubectl(cluster, ['create', 'secret', 'generic', 'macrodata-numbers', '-n', 'development', '--from-literal=numbers=01 02']);
  for (const d of DEPLOYABLES) {
    const image = findLayoutImage(store.layoutDir, `${d.image}:latest`);
    if (!image) throw new Error(`${d.image}:latest is not in ${store.layoutDir}: run npm run images first`);
    await run('rm', ['-rf', join(store.unpackDir, image.digest.replace(':', '-'))]); // a cold start unpacks it
    let t = Date.now();
    await kubectl(cluster, ['apply', '-k', d.dir]);
    const first = await readyPod(cluster, d.namespace, d.selector);
    const readyColdS = (Date.now() - t) / 1000;
    t = Date.now();
    await kubectl(cluster, ['rollout', 'restart', `deployment/${d.deployment}`, '-n', d.namespace]);
    const second = await readyPod(cluster, d.namespace, d.selector, [first]);
    const readyWarmS = (Date.now() - t) / 1000;
    await kubectl(cluster, ['rollout', 'status', `deployment/${d.deployment}`, '-n', d.namespace, '--timeout=300s']);
    await new Promise((r) => setTimeout(r, 20_000));
    const du = (await run('du', ['-sm', join(store.unpackDir, image.digest.replace(':', '-'))])).stdout;
    const fact: ImageFacts = {
      image: d.image,
      deployment: d.deployment,
      compressedMB: Math.round(image.size / 1e5) / 10,
      unpackedMB: Number(du.split('\t')[0]),
      readyColdS,
      readyWarmS,
      idleRssMB: await containerRss(cluster, second),
    };
    log(JSON.stringify(fact));
    facts.push(fact);
  }
} finally {
  await cluster.stop();
}
mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(repoRoot, 'bench', 'results', 'images.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), facts }, null, 2)}\n`,
);
process.stdout.write(
  '| image | compressed | unpacked | apply -> Ready (cold) | restart -> Ready (warm) | idle RSS |\n| --- | --- | --- | --- | --- | --- |\n',
);
for (const f of facts)
  process.stdout.write(
    `| \`${f.image}\` | ${f.compressedMB} MB | ${f.unpackedMB} MB | ${f.readyColdS.toFixed(1)} s | ${f.readyWarmS.toFixed(1)} s | ${f.idleRssMB} MB |\n`,
  );
