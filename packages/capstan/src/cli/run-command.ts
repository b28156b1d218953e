// `capstan run <module> [-n NS]... [-A] [--dev] [--liveness URL] [--verbose|--quiet] [--log-format json|plain] [--kubeconfig PATH]`.
import { consoleLogger, describeError, type LogLevel } from '../core/logging.js';
import { exitCodes, parseCommandArgs, type Command } from './command.js';
import { admissionOptions, admissionSettingsFrom, admissionUsage } from './admission-flags.js';
import { startLiveness } from './liveness.js';
import { loadOperatorModule } from './load-module.js';
import { processKubeconfig, productionRunOptions } from './process-entry.js';
import { productionFlagsFrom, productionOptions, productionUsage } from './production-flags.js';

export const runUsage = `usage: capstan run <module.ts|.js> [-n NAMESPACE]... [-A] [--dev] [--liveness URL]
                   [--verbose|--quiet] [--log-format json|plain] [--kubeconfig PATH]
  -n, --namespace     watch this namespace (repeatable; globs like 'team-*' and exclusions '!kube-*' allowed)
  -A, --all-namespaces watch all namespaces
  --dev               local development: debug logs, plain format, standalone
  --liveness URL      serve liveness at this URL, e.g. http://0.0.0.0:8080/healthz
  --kubeconfig PATH   kubeconfig file (default: $KUBECONFIG, in-cluster, then ~/.kube/config)
${productionUsage({ healthPort: 0, leaseName: '<operator>-leader' })}${admissionUsage('<operator>')}`;

export const runCommand: Command = {
  summary: 'run an operator module',
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, {
      command: 'run',
      usage: runUsage,
      options: {
        namespace: { type: 'string', short: 'n', multiple: true },
        'all-namespaces': { type: 'boolean', short: 'A' },
        dev: { type: 'boolean' },
        liveness: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        quiet: { type: 'boolean', short: 'q' },
        'log-format': { type: 'string' },
        kubeconfig: { type: 'string' },
        ...productionOptions,
        ...admissionOptions,
      },
    });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const usage = (msg: string) => (io.err(`capstan run: ${msg}\n${runUsage}`), exitCodes.usage);
    if (positionals.length !== 1)
      return usage(positionals.length ? `one module expected, got ${positionals.length}` : 'which operator module?');
    const format = values['log-format'] ?? (values.dev ? 'plain' : 'json');
    if (format !== 'json' && format !== 'plain') return usage(`--log-format must be json or plain, got ${format}`);
    if (values.verbose && values.quiet) return usage('--verbose and --quiet exclude each other');
    const namespaces = values.namespace ?? [];
    if (values['all-namespaces'] && namespaces.length) return usage('-A and -n exclude each other');
    if (namespaces.some((n) => !/^!?[a-z0-9*?[\]-]+$/.test(n))) return usage(`invalid namespace pattern in ${namespaces.join(', ')}`);
    let liveness: URL | undefined;
    if (values.liveness) {
      try {
        liveness = new URL(values.liveness);
      } catch {
        return usage(`--liveness must be a URL like http://0.0.0.0:8080/healthz, got ${values.liveness}`);
      }
    }
    const production = productionFlagsFrom(values, io.env, { healthPort: 0, leaseName: '' });
    if ('error' in production) return usage(production.error);
    // No --lease-name (default ''): capstan's own default name, <operator>-leader.
    const runProduction = productionRunOptions(production.flags);
    const level: LogLevel = values.verbose || values.dev ? 'debug' : values.quiet ? 'warn' : 'info';
    const logger = consoleLogger({ level, format, write: (line) => io.err(`${line}\n`) });
    const kubeconfig = processKubeconfig(values.kubeconfig, io.env);
    for (const note of production.notes) logger.info(note);
    const allNamespaces = !!values['all-namespaces'] || namespaces.length === 0;
    let operator;
    try {
      operator = await loadOperatorModule(positionals[0]!, {
        namespaces,
        allNamespaces,
        kubeconfig,
        logger,
        dev: !!values.dev,
        env: io.env,
      });
    } catch (error) {
      logger.error('cannot load the operator module', { error: describeError(error) });
      return exitCodes.usage;
    }
    const probe = liveness
      ? await startLiveness(liveness, () => true).catch((error) => {
          logger.error('cannot serve liveness', { url: liveness!.href, error: describeError(error) });
          return undefined;
        })
      : undefined;
    if (liveness && !probe) return exitCodes.failure;
    // Admission handlers (if the module has any) are served as the flags say; --dev serves them to a local cluster.
    const admission = admissionSettingsFrom(values, {
      operatorName: operator.name,
      namespace: production.flags.leaseNamespace ?? io.env.POD_NAMESPACE,
      podIP: io.env.POD_IP,
    });
    if ('error' in admission) return usage(admission.error);
    try {
      await operator.run({
        signal: io.signal,
        kubeconfig,
        logger,
        ...runProduction,
        ...(admission.settings ? { admission: admission.settings } : {}),
        ...(allNamespaces ? { allNamespaces: true } : { namespaces }),
      });
      return exitCodes.ok;
    } catch (error) {
      logger.error('the operator failed', { error: describeError(error) });
      return exitCodes.failure;
    } finally {
      await probe?.close();
    }
  },
};
