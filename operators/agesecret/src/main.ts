// Process entry of the AgeSecret operator: settings from argv/env, probes, leader election, signals, exit codes.
import { consoleLogger, KubeConfig, type KubeConfigSource, type RunOptions } from 'capstan';
import { createAgeSecretOperator } from './operator.js';
import { parseSettings, SettingsError, USAGE, type OperatorProcessSettings } from './settings.js';

/**
 * --kubeconfig, else the pod's service account when in a cluster, else $KUBECONFIG or ~/.kube/config. Under the
 * local kubelet simulator the service-account files live below CAPSTAN_POD_ROOT, which client-node takes as prefix.
 */
function kubeconfigSource(settings: OperatorProcessSettings, env: NodeJS.ProcessEnv): KubeConfigSource | undefined {
  if (settings.kubeconfig) return settings.kubeconfig;
  if (env.KUBERNETES_SERVICE_HOST) {
    const kc = new KubeConfig();
    kc.loadFromCluster(env.CAPSTAN_POD_ROOT || undefined);
    return kc;
  }
  return undefined;
}

/** capstan's probes (/healthz, /readyz, /metrics) and Lease leader election, from the process settings. */
function productionOptions(settings: OperatorProcessSettings): Omit<RunOptions, 'signal'> {
  return {
    ...(settings.healthPort > 0 ? { probes: { host: settings.healthHost ?? '0.0.0.0', port: settings.healthPort } } : {}),
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
    process.stderr.write(`agesecret-operator: ${error.message}\n\n${USAGE}\n`);
    return 2;
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
  let kubeconfig: KubeConfigSource | undefined;
  try {
    kubeconfig = kubeconfigSource(settings, process.env);
  } catch (error) {
    logger.error('cannot load the cluster credentials', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return 1;
  }
  const agesecret = createAgeSecretOperator({
    ...(settings.allNamespaces ? { allNamespaces: true } : { namespaces: settings.namespaces }),
    ...(settings.defaultIdentity ? { defaultIdentity: settings.defaultIdentity } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    requireBinding: settings.requireBinding,
    concurrency: settings.concurrency,
    logger,
  });
  const production = productionOptions(settings);
  logger.info('starting', {
    namespaces: settings.allNamespaces ? '*' : settings.namespaces.join(','),
    defaultIdentity: settings.defaultIdentity ? `${settings.defaultIdentity.namespace}/${settings.defaultIdentity.name}` : 'disabled',
    requireBinding: settings.requireBinding,
    probes: production.probes ? `${production.probes.host}:${production.probes.port}` : 'off',
    leaderElection: production.leaderElection ? `${production.leaderElection.namespace}/${production.leaderElection.leaseName}` : 'off',
  });
  try {
    await agesecret.operator.run({ signal: stop.signal, ...production });
    return 0;
  } catch (error) {
    logger.error('operator failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return 1;
  }
}

process.exitCode = await main();
