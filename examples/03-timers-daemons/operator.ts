// Example 03: timers and daemons: a heartbeat timer per labelled ConfigMap, and a daemon per object that lives until it is deleted.
import { createOperator, PRESENT, type CliSettings, type Operator } from 'capstan';

const configMaps = { version: 'v1', plural: 'configmaps' } as const;

export interface TimersOptions {
  /** Heartbeat interval. Default 10 s. */
  intervalMs?: number;
}

export function createTimersOperator(settings: Partial<CliSettings> = {}, options: TimersOptions = {}): Operator {
  const op = createOperator({ name: 'timers-example', ...(settings.logger ? { logger: settings.logger } : {}) });
  const cms = op.resource(configMaps);

  // Every interval, for each ConfigMap labelled `heartbeat`: count beats in an annotation (one write per beat).
  cms.timer(
    options.intervalMs ?? 10_000,
    function heartbeat(ctx) {
      const beats = Number(ctx.meta.annotations?.['examples.capstan.dev/beats'] ?? 0) + 1;
      ctx.patch.metadata.annotations['examples.capstan.dev/beats'] = String(beats);
    },
    { labels: { heartbeat: PRESENT } },
  );

  // A long-running task per ConfigMap labelled `watched`: it runs until the object goes away or the label is removed.
  cms.daemon(
    async function watcher(ctx) {
      ctx.logger.info('daemon started');
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      ctx.logger.info('daemon stopped');
    },
    { labels: { watched: PRESENT } },
  );
  return op;
}

export default (settings: CliSettings) => createTimersOperator(settings);
