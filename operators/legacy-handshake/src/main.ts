// Process entry of the legacy-handshake operator: settings from argv/env, probes, leader election, signals, exit codes.
import { consoleLogger, createOperatorMetrics, KubeConfig, type KubeConfigSource, type OperatorMetrics, type RunOptions } from 'capstan';
import { SettingsError } from './errors.js';
import type { HandshakeMetrics } from './metrics.js';
import { createHandshakeOperator, OPERATOR_NAME } from './operator.js';
import { parseSettings, USAGE, type HandshakeSettings } from './settings.js';
import { formatSuffixRef } from './suffix.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

/**
 * --kubeconfig/KUBECONFIG, else the pod's service account when in a cluster, else ~/.kube/config. Under the
 * local kubelet simulator the service-account files live below CAPSTAN_POD_ROOT, which client-node takes as prefix.
 */
function kubeconfigSource(settings: HandshakeSettings, env: NodeJS.ProcessEnv): KubeConfigSource {
  if (settings.kubeconfig) return settings.kubeconfig;
  if (env.KUBERNETES_SERVICE_HOST) {
    const kc = new KubeConfig();
    kc.loadFromCluster(env.CAPSTAN_POD_ROOT || undefined);
    return kc;
  }
  return 'default';
}

/** capstan's metrics with the handshake's own series appended, so one /metrics serves both. */
function withHandshakeMetrics(capstan: OperatorMetrics, handshake: HandshakeMetrics): OperatorMetrics {
  return {
    ...capstan,
    async render() {
      const own = await capstan.render();
      return { contentType: own.contentType, body: `${own.body}\n${handshake.render()}` };
    },
  };
}

/** capstan's probes (/healthz, /readyz, /metrics) and Lease leader election, from the process settings. */
function productionOptions(settings: HandshakeSettings, env: NodeJS.ProcessEnv, metrics: OperatorMetrics): Omit<RunOptions, 'signal'> {
  return {
    metrics,
    // One IP per pod under the local simulator (which sets POD_IP); all interfaces in a real pod.
    ...(settings.healthPort > 0 ? { probes: { host: settings.healthHost ?? env.POD_IP ?? '0.0.0.0', port: settings.healthPort } } : {}),
    ...(settings.instance ? { instance: settings.instance } : {}),
    ...(settings.leaseNamespace && !settings.standalone
      ? { leaderElection: { namespace: settings.leaseNamespace, leaseName: settings.leaseName } }
      : {}),
  };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseSettings(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`legacy-handshake-operator: ${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const settings = parsed.settings;
  const logger = consoleLogger({ level: settings.logLevel, format: 'json' });
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('stopping', { signal });
      stop.abort();
    });
  }

  let kubeconfig: KubeConfigSource;
  try {
    kubeconfig = kubeconfigSource(settings, process.env);
  } catch (error) {
    logger.error('cannot load the cluster credentials', { error });
    return EXIT_FAILURE;
  }
  const handshake = createHandshakeOperator({
    namespaces: settings.namespaces,
    allNamespaces: settings.allNamespaces,
    suffixSecret: settings.suffixSecret,
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    suffixMaxAgeMs: settings.suffixMaxAgeMs,
    deploymentOptIn: settings.deploymentOptIn,
    kubeconfig,
    logger,
  });
  const production = productionOptions(settings, process.env, withHandshakeMetrics(createOperatorMetrics({ operator: OPERATOR_NAME }), handshake.metrics));
  logger.info('starting', {
    namespaces: settings.allNamespaces ? '*' : settings.namespaces.join(','),
    suffixSecret: formatSuffixRef(settings.suffixSecret),
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    deploymentOptIn: settings.deploymentOptIn,
    probes: production.probes ? `${production.probes.host}:${production.probes.port}` : 'off',
    leaderElection: production.leaderElection ? `${production.leaderElection.namespace}/${production.leaderElection.leaseName}` : 'off',
  });
  try {
    await handshake.run({ signal: stop.signal, ...production });
    return 0;
  } catch (error) {
    logger.error('operator failed', { error });
    return EXIT_FAILURE;
  }
}

// Exit explicitly: idle keep-alive sockets to pods or the API server must not hold a stopped operator.
process.exit(await main());
