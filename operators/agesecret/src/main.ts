// Process entry of the AgeSecret operator: settings from argv/env, probes, signals, exit codes.
import { consoleLogger } from 'capstan';
import { startHealthServer, type HealthServer } from './health-server.js';
import { createAgeSecretOperator } from './operator.js';
import { parseSettings, SettingsError, USAGE } from './settings.js';

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
  let alive = true;
  let ready = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('stopping', { signal });
      ready = false;
      stop.abort();
    });
  }
  const agesecret = createAgeSecretOperator({
    ...(settings.allNamespaces ? { allNamespaces: true } : { namespaces: settings.namespaces }),
    ...(settings.defaultIdentity ? { defaultIdentity: settings.defaultIdentity } : {}),
    ...(settings.kubeconfig ? { kubeconfig: settings.kubeconfig } : {}),
    requireBinding: settings.requireBinding,
    concurrency: settings.concurrency,
    logger,
  });
  let health: HealthServer | undefined;
  if (settings.healthPort > 0) health = await startHealthServer({ port: settings.healthPort, isAlive: () => alive, isReady: () => ready });
  void agesecret.operator.ready.then(() => { ready = !stop.signal.aborted; }, () => undefined);
  logger.info('starting', {
    namespaces: settings.allNamespaces ? '*' : settings.namespaces.join(','),
    defaultIdentity: settings.defaultIdentity ? `${settings.defaultIdentity.namespace}/${settings.defaultIdentity.name}` : 'disabled',
    requireBinding: settings.requireBinding,
  });
  try {
    await agesecret.run({ signal: stop.signal });
    return 0;
  } catch (error) {
    alive = false;
    logger.error('operator failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return 1;
  } finally {
    await health?.close();
  }
}

process.exitCode = await main();
