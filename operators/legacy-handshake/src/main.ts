// Process entry of the legacy-handshake operator: settings from argv/env, probes, signals, exit codes.
import { consoleLogger, KubeConfig, type KubeConfigSource } from 'capstan';
import { SettingsError } from './errors.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import { createHandshakeOperator } from './operator.js';
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
  let alive = true;
  let ready = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('stopping', { signal });
      ready = false;
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
  let health: HealthServer | undefined;
  if (settings.healthPort > 0) {
    health = await startHealthServer({
      port: settings.healthPort,
      // One IP per pod under the local simulator (which sets POD_IP); all interfaces in a real pod.
      host: settings.healthHost ?? process.env.POD_IP ?? '0.0.0.0',
      isAlive: () => alive,
      isReady: () => ready,
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: handshake.metrics.render() }),
    });
  }
  void handshake.ready.then(() => { ready = !stop.signal.aborted; }, () => undefined);
  logger.info('starting', {
    namespaces: settings.allNamespaces ? '*' : settings.namespaces.join(','),
    suffixSecret: formatSuffixRef(settings.suffixSecret),
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    deploymentOptIn: settings.deploymentOptIn,
  });
  try {
    await handshake.run({ signal: stop.signal });
    return 0;
  } catch (error) {
    alive = false;
    logger.error('operator failed', { error });
    return EXIT_FAILURE;
  } finally {
    await health?.close();
  }
}

// Exit explicitly: idle keep-alive sockets to pods or the API server must not hold a stopped operator.
process.exit(await main());
