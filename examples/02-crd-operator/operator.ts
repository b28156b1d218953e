// Example 02: an operator for a custom resource: each Greeting gets a ConfigMap child, kept in sync and cleaned up.
import { createOperator, type CliSettings, type KubeObject, type Operator } from 'capstan';

export const greetings = { group: 'examples.capstan.dev', version: 'v1', plural: 'greetings' } as const;
const configMaps = { version: 'v1', plural: 'configmaps' } as const;

export type Greeting = KubeObject<{ name: string; language?: 'en' | 'cs' }, { message?: string; observedGeneration?: number }>;

const salutation = { en: 'Hello', cs: 'Ahoj' } as const;

export function createGreetingOperator(settings: Partial<CliSettings> = {}): Operator {
  const op = createOperator({ name: 'greeting-operator', ...(settings.logger ? { logger: settings.logger } : {}) });
  const greeting = op.resource<Greeting>(greetings);

  greeting.reconcile({
    async apply(ctx) {
      const message = `${salutation[ctx.spec.language ?? 'en']}, ${ctx.spec.name}!`;
      // Server-side apply of the child: idempotent, owned by this operator's field manager.
      await ctx.client.apply(
        configMaps,
        {
          metadata: {
            name: `${ctx.name}-greeting`,
            namespace: ctx.namespace,
            ownerReferences: [
              {
                apiVersion: 'examples.capstan.dev/v1',
                kind: 'Greeting',
                name: ctx.name,
                uid: ctx.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          data: { message },
        },
        { force: true, signal: ctx.signal },
      );
      ctx.patch.status.message = message;
      ctx.patch.status.observedGeneration = ctx.meta.generation;
    },
    // Children go with their owner (garbage collection); cleanup shows the finalizer-guarded hook.
    async cleanup(ctx) {
      ctx.logger.info('greeting removed', { name: ctx.spec.name });
    },
  });
  // Someone edits or deletes the child: reconcile the owner again.
  greeting.owns(op.resource(configMaps));
  return op;
}

export default (settings: CliSettings) => createGreetingOperator(settings);
