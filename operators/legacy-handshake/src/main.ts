// Process entry of the legacy-handshake operator: its flags, start-up facts and metrics; capstan/process does the rest.
import { createOperatorMetrics, type OperatorMetrics } from 'capstan/production';
import { runOperatorProcess } from 'capstan/process';
import { SettingsError } from './errors.js';
import type { HandshakeMetrics } from './metrics.js';
import { createHandshakeOperator, OPERATOR_NAME } from './operator.js';
import { operatorOptions, parseSettings, USAGE, type HandshakeSettings } from './settings.js';
import { formatSuffixRef } from './suffix.js';

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

const code = await runOperatorProcess<HandshakeSettings>({
  name: 'legacy-handshake-operator',
  usage: USAGE,
  parse: parseSettings,
  isUsageError: (error) => error instanceof SettingsError,
  describe: (settings) => ({
    namespaces: settings.allNamespaces ? '*' : settings.namespaces.join(','),
    suffixSecret: formatSuffixRef(settings.suffixSecret),
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    deploymentOptIn: settings.deploymentOptIn,
  }),
  async run({ settings, logger, kubeconfig, production, signal }) {
    const handshake = createHandshakeOperator({ ...operatorOptions(settings), kubeconfig, logger });
    const metrics = withHandshakeMetrics(createOperatorMetrics({ operator: OPERATOR_NAME }), handshake.metrics);
    await handshake.run({ signal, ...production, metrics });
  },
});
// Exit explicitly: idle keep-alive sockets to pods or the API server must not hold a stopped operator.
process.exit(code);
