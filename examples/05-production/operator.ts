// Example 05: a production-shaped operator: typed CRD, server-side-applied child, Ready condition, Events, probes, metrics, leader election.
import {
  adopt,
  applyChild,
  createOperator,
  setCondition,
  type CliSettings,
  type Condition,
  type KubeObject,
  type Operator,
  type ProductionSettings,
} from 'capstan';
import { Greetings, type Greeting } from './resource.js';

const configMaps = { version: 'v1', plural: 'configmaps' } as const;
const salutation = { en: 'Hello', cs: 'Ahoj' } as const;

export const operatorName = 'greeting-production';

/** The production features; `capstan run` fills them from its flags (--health-port, --lease-namespace, $POD_NAME). */
export type ProductionOptions = Pick<ProductionSettings, 'probes' | 'leaderElection' | 'instance' | 'metrics'>;

export function createProductionOperator(settings: Partial<CliSettings> = {}, production: ProductionOptions = {}): Operator {
  const op = createOperator({ name: operatorName, ...production, ...(settings.logger ? { logger: settings.logger } : {}) });
  const greetings = op.resource<Greeting>(Greetings.ref);

  greetings.reconcile({
    async apply(ctx) {
      const message = `${salutation[ctx.spec.language ?? 'en']}, ${ctx.spec.name}!`;
      const child = adopt(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${ctx.name}-greeting` },
          data: { message },
        } as KubeObject,
        ctx.body as Greeting,
      );
      // Server-side apply: writes nothing when the child already matches, takes the fields back after drift.
      await applyChild(ctx.client, child, { fieldManager: operatorName });
      await ctx.events.info('Greeted', `wrote ConfigMap ${ctx.name}-greeting`);
      ctx.patch.status.message = message;
      ctx.patch.status.observedGeneration = ctx.meta.generation;
      ctx.patch.status.conditions = setCondition(ctx.status?.conditions as Condition[] | undefined, {
        type: 'Ready',
        status: true,
        reason: 'ConfigMapApplied',
        message: `ConfigMap ${ctx.name}-greeting is up to date`,
        observedGeneration: ctx.meta.generation,
      });
    },
  });
  greetings.owns(op.resource(configMaps));
  return op;
}

export default (settings: CliSettings) => createProductionOperator(settings);
