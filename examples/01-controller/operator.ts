// Example 01: a plain controller for native objects (the seed's first step): log what happens to Pods and ConfigMaps.
import { createOperator, type CliSettings, type KubeObject, type Operator } from 'capstan';

type Pod = KubeObject<{ containers: { name: string; image: string }[] }, { phase?: string }>;
type ConfigMap = KubeObject & { data?: Record<string, string> };

export function createController(settings: Partial<CliSettings> = {}): Operator {
  const op = createOperator({ name: 'example-controller', ...(settings.logger ? { logger: settings.logger } : {}) });

  const pods = op.resource<Pod>({ version: 'v1', plural: 'pods' });
  pods.on.create(function podCreated(ctx) {
    ctx.logger.info('pod created', { images: ctx.spec.containers.map((c) => c.image) });
  });
  pods.on.field('spec.containers', function podContainersChanged(ctx) {
    ctx.logger.info('pod containers changed', { changes: ctx.diff.length });
  });
  pods.on.delete(
    function podDeleted(ctx) {
      ctx.logger.info('pod deleted', { phase: ctx.status?.phase });
    },
    { optional: true },
  ); // just logging: no finalizer needed

  const configMaps = op.resource<ConfigMap>({ version: 'v1', plural: 'configmaps' });
  // Event handlers see every change, without persisted state: a pure observer writes nothing.
  configMaps.on.event(function configMapEvent(ctx) {
    // Log key names only: values may be sensitive.
    ctx.logger.info(`configmap ${ctx.event?.type.toLowerCase()}`, { keys: Object.keys(ctx.body.data ?? {}) });
  });
  return op;
}

/** `capstan run examples/01-controller/operator.ts -n development` */
export default (settings: CliSettings) => createController(settings);
