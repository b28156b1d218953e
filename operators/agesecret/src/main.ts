// Process entry of the AgeSecret operator: its flags and start-up facts; capstan/process does the rest.
import { runOperatorProcess } from 'capstan/process';
import { createAgeSecretOperator } from './operator.js';
import { operatorOptions, parseSettings, SettingsError, USAGE, type OperatorProcessSettings } from './settings.js';

process.exitCode = await runOperatorProcess<OperatorProcessSettings>({
  name: 'agesecret-operator',
  usage: USAGE,
  parse: parseSettings,
  isUsageError: (error) => error instanceof SettingsError,
  describe: (settings) => ({
    namespaces: settings.allNamespaces ? '*' : settings.namespaces.join(','),
    defaultIdentity: settings.defaultIdentity ? `${settings.defaultIdentity.namespace}/${settings.defaultIdentity.name}` : 'disabled',
    requireBinding: settings.requireBinding,
  }),
  async run({ settings, logger, kubeconfig, production, signal }) {
    const agesecret = createAgeSecretOperator({ ...operatorOptions(settings), kubeconfig, logger });
    await agesecret.operator.run({ signal, ...production });
  },
});
