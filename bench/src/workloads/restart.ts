// Workloads 2 and 3: restart with N AgeSecrets up to date (catch-up time, writes, RSS), then an idle minute.
import type { KubeClient, KubeObject } from 'capstan';
import { uniqueNamespace } from 'capstan/testing';
import {
  AGESECRET_ENTRY,
  AGESECRETS,
  ageSecretManifest,
  ageSecretOperatorArgs,
  createKeySecret,
  encryptValues,
  EVENTS,
  installAgeSecretCrd,
  isReady,
  SECRETS,
  type AgeSecretObject,
} from '../agesecret-fixtures.js';
import { perObject, requestCounts } from '../apiserver-requests.js';
import type { MachineInfo } from '../machine.js';
import { moduleBaselineRss, startOperatorProcess } from '../operator-process.js';
import { runPool } from '../pool.js';
import { waitQuiet } from '../quiet.js';
import { goal, type WorkloadResult } from '../result.js';
import { cleanupNamespace } from './agesecret-burst.js';
import { summarize, throughput } from '../stats.js';
import { WatchTracker } from '../watch-tracker.js';

export interface RestartOptions {
  client: KubeClient;
  kubeconfigPath: string;
  machine: MachineInfo;
  n: number;
  /** Creates in flight while setting up. */
  concurrency: number;
  /** --concurrency of the operator process that is restarted (default: its own default, 16). */
  operatorConcurrency?: number;
  /** Run the operator compiled (dist/, as its image) rather than from source through tsx. */
  compiled?: boolean | undefined;
  /** Write a V8 CPU profile of each operator process into this directory (node --cpu-prof). */
  cpuProfDir?: string | undefined;
  /** Length of the idle window of workload 3; 0 skips it. */
  steadyMs: number;
  /** Delete the namespace before returning. */
  cleanup?: boolean;
  log?: (line: string) => void;
}

export interface RestartResults {
  restart: WorkloadResult;
  steady?: WorkloadResult;
}

const SENTINEL = 'zz-bench-sentinel';
/** Issue [perf] item 4: peak RSS, and RSS over the module baseline per watched object (AgeSecrets + Secrets). */
const MB_GOAL = 100;
const KB_PER_OBJECT_GOAL = 1.5;

/** N AgeSecrets made Ready by a first operator process, which is then stopped. */
async function prepare(
  options: RestartOptions,
  namespace: string,
  log: (line: string) => void,
): Promise<{ setupMs: number; recipient: string }> {
  const { client, n } = options;
  const recipient = await createKeySecret(client, namespace);
  log(`restart n=${n}: encrypting`);
  const values = await encryptValues(recipient, n);
  // Set-up only: a wide operator gets the N objects in place sooner; its speed is not measured.
  const first = await startOperatorProcess({
    entry: AGESECRET_ENTRY,
    compiled: options.compiled,
    cpuProfDir: options.cpuProfDir,
    args: ageSecretOperatorArgs({ namespace, kubeconfigPath: options.kubeconfigPath, concurrency: 64 }),
  });
  const ready = new WatchTracker<AgeSecretObject>({ client, ref: AGESECRETS, namespace, states: { ready: (o) => isReady(o) } });
  const started = performance.now();
  try {
    await first.ready(120_000);
    await ready.start();
    log(`restart n=${n}: creating ${n} AgeSecrets with a first operator process`);
    await runPool(
      Array.from({ length: n }, (_, i) => i),
      options.concurrency,
      async (i) => {
        await client.create(AGESECRETS, ageSecretManifest(namespace, `asec-${String(i).padStart(5, '0')}`, values[i]!), { namespace });
      },
    );
    await ready.waitForCount('ready', n, 300_000 + n * 200);
    // Every Secret must exist too, before the first process goes.
    const secrets = await client.list(SECRETS, { namespace, limit: 500 });
    const made = secrets.items.filter((s) => s.metadata.name?.startsWith('asec-')).length;
    if (made !== n) throw new Error(`only ${made}/${n} Secrets exist after every AgeSecret is Ready`);
  } finally {
    await ready.stopped();
    await first.stop();
  }
  return { setupMs: Math.round(performance.now() - started), recipient };
}

export async function runRestart(options: RestartOptions): Promise<RestartResults> {
  const { client, n } = options;
  const log = options.log ?? (() => {});
  await installAgeSecretCrd(client);
  const namespace = await uniqueNamespace(client, 'bench-restart');
  const { setupMs, recipient } = await prepare(options, namespace, log);
  const [sentinelValue] = await encryptValues(recipient, 1);

  // Every write from here on shows up in one of these watches (the sentinel's own are not counted).
  const isSentinel = (o: KubeObject) => o.metadata.name?.startsWith(SENTINEL) === true;
  const ageSecrets = new WatchTracker<AgeSecretObject>({
    client,
    ref: AGESECRETS,
    namespace,
    ignoreWrites: isSentinel,
    states: { ready: (o) => o.metadata.name === SENTINEL && isReady(o) },
  });
  const secrets = new WatchTracker<KubeObject>({ client, ref: SECRETS, namespace, ignoreWrites: isSentinel });
  const events = new WatchTracker<KubeObject & { involvedObject?: { name?: string } }>({
    client,
    ref: EVENTS,
    namespace,
    ignoreWrites: (e) => e.involvedObject?.name === SENTINEL,
  });
  await Promise.all([ageSecrets.start(), secrets.start(), events.start()]);

  log(`restart n=${n}: restarting the operator`);
  const spawnedAt = performance.now();
  const requestsBefore = await requestCounts(options.kubeconfigPath);
  const operator = await startOperatorProcess({
    entry: AGESECRET_ENTRY,
    compiled: options.compiled,
    cpuProfDir: options.cpuProfDir,
    args: ageSecretOperatorArgs({
      namespace,
      kubeconfigPath: options.kubeconfigPath,
      ...(options.operatorConcurrency ? { concurrency: options.operatorConcurrency } : {}),
    }),
  });
  const notes: string[] = [];
  let readyMs = 0;
  let sentinelMs = 0;
  let quietMs = 0;
  let converged = false;
  let steady: WorkloadResult | undefined;
  try {
    readyMs = await operator.ready(300_000);
    // Queued after every listed object: its Ready marks the end of the start-up backlog (FIFO queue).
    await client.create(AGESECRETS, ageSecretManifest(namespace, SENTINEL, sentinelValue!), { namespace });
    await ageSecrets.waitForCount('ready', 1, 300_000 + n * 100);
    sentinelMs = ageSecrets.times('ready').get(SENTINEL)! - spawnedAt;
    quietMs = (await waitQuiet(operator.sampler, { timeoutMs: 300_000 + n * 100 })) - spawnedAt;
    converged = true;
  } catch (error) {
    notes.push(`did not catch up: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const atCatchUp = operator.usage();
  const requestsAfter = await requestCounts(options.kubeconfigPath);
  const writes = { ageSecrets: { ...ageSecrets.writes }, secrets: { ...secrets.writes }, events: { ...events.writes } };
  const writeCount = ageSecrets.writeCount + secrets.writeCount + events.writeCount;
  const caughtUpMs = Math.round(Math.max(sentinelMs, quietMs));

  if (converged && options.steadyMs > 0) {
    log(`steady n=${n}: idle for ${options.steadyMs} ms`);
    operator.sampler.resetWindow();
    const writesBefore = writeCount;
    // A measurement window, not a synchronisation: the operator is observed doing nothing for this long.
    await new Promise((r) => setTimeout(r, options.steadyMs));
    const idle = operator.usage();
    const idleWrites = ageSecrets.writeCount + secrets.writeCount + events.writeCount - writesBefore;
    steady = {
      workload: 'steady-state',
      machine: options.machine,
      parameters: { n, watchedObjects: 2 * n + 1, windowMs: options.steadyMs, operator: options.compiled ? 'dist' : 'source' },
      converged: idleWrites === 0,
      throughputPerSec: 0,
      latency: summarize([]),
      // The highest RSS sampled in the idle window (the lifetime peak, from start-up, is restart's).
      peakRssMb: idle.windowPeakRssMb,
      goals: [goal('API writes while idle', '0', idleWrites, idleWrites === 0)],
      details: {
        rssMb: idle.lastRssMb,
        lifetimePeakRssMb: idle.peakRssMb,
        cpuMs: idle.cpuMs,
        cpuCores: idle.cpuCores,
        windowMs: idle.wallMs,
        writesWhileIdle: idleWrites,
      },
      notes: [`The operator watches ${n} AgeSecrets and their ${n} Secrets (plus the key Secret).`],
    };
  }
  await Promise.all([ageSecrets.stopped(), secrets.stopped(), events.stopped()]);
  if (options.cleanup) await cleanupNamespace(client, namespace, log);
  const final = await operator.stop();
  const baselineRssMb = await moduleBaselineRss('operators/agesecret/src/index.ts', { compiled: options.compiled }).catch(() => 0);
  const rssPerObjectKb = baselineRssMb ? Number((((atCatchUp.peakRssMb - baselineRssMb) * 1024) / (2 * n + 1)).toFixed(2)) : undefined;

  const restart: WorkloadResult = {
    workload: 'restart',
    machine: options.machine,
    parameters: { n, operatorConcurrency: options.operatorConcurrency ?? 'default', operator: options.compiled ? 'dist' : 'source' },
    converged,
    throughputPerSec: caughtUpMs > 0 ? throughput(n, caughtUpMs) : 0,
    latency: summarize(converged ? [caughtUpMs] : []),
    peakRssMb: atCatchUp.peakRssMb,
    goals: [
      goal('API writes on restart', '0', writeCount, writeCount === 0),
      goal('peak RSS (MiB)', `< ${MB_GOAL}`, atCatchUp.peakRssMb, atCatchUp.peakRssMb < MB_GOAL),
      ...(rssPerObjectKb === undefined
        ? []
        : [goal('peak RSS per watched object (KiB)', `< ${KB_PER_OBJECT_GOAL}`, rssPerObjectKb, rssPerObjectKb < KB_PER_OBJECT_GOAL)]),
    ],
    details: {
      caughtUpMs,
      readyMs: Math.round(readyMs),
      sentinelReadyMs: Math.round(sentinelMs),
      cpuQuietMs: Math.round(quietMs),
      cpuMsToCatchUp: atCatchUp.cpuMs,
      writes,
      writeCount,
      // Requests per AgeSecret while catching up (the sentinel's few and the harness's lists included; watches excluded).
      apiRequestsPerObject: perObject(requestsBefore, requestsAfter, n),
      setupMs,
      finalPeakRssMb: final.usage.peakRssMb,
      // node + tsx + the operator's modules, idle, nothing watched: the fixed part of the RSS above.
      moduleBaselineRssMb: baselineRssMb,
      rssPerObjectKb,
    },
    notes: [
      'caughtUpMs: from spawning the process to the later of (a sentinel AgeSecret created after /readyz is Ready; the process CPU staying under 0.05 cores for 2 s). throughputPerSec = N / caughtUpMs.',
      ...notes,
    ],
  };
  return steady ? { restart, steady } : { restart };
}
