// Example 04: filters: labels and annotations (PRESENT, ABSENT, exact, predicate), `when` predicates and field handlers.
import { ABSENT, createOperator, PRESENT, type CliSettings, type KubeObject, type Operator } from 'capstan';

const configMaps = { version: 'v1', plural: 'configmaps' } as const;
type ConfigMap = KubeObject & { data?: Record<string, string> };

export function createFiltersOperator(settings: Partial<CliSettings> = {}): Operator {
  const op = createOperator({ name: 'filters-example', ...(settings.logger ? { logger: settings.logger } : {}) });
  const cms = op.resource<ConfigMap>(configMaps);

  cms.on.create(
    function managed(ctx) {
      ctx.logger.info('managed configmap');
    },
    { labels: { 'app.kubernetes.io/managed-by': 'filters-example', paused: ABSENT } },
  );

  cms.on.create(
    function tiered(ctx) {
      ctx.logger.info('tiered configmap', { tier: ctx.meta.labels?.tier });
    },
    { labels: { tier: (v) => v === 'gold' || v === 'silver' } },
  );

  cms.on.create(
    function annotated(ctx) {
      ctx.logger.info('annotated configmap');
    },
    { annotations: { 'examples.capstan.dev/notify': PRESENT } },
  );

  cms.on.update(
    function big(ctx) {
      ctx.logger.info('configmap grew large', { keys: Object.keys(ctx.body.data ?? {}).length });
    },
    { when: (ctx) => Object.keys(ctx.body.data ?? {}).length > 3 },
  );

  cms.on.field('data.mode', function modeChanged(ctx) {
    ctx.logger.info('mode changed', { from: ctx.old, to: ctx.new });
  });
  return op;
}

export default (settings: CliSettings) => createFiltersOperator(settings);
