// Example 07: a custom resource in two versions. v1 (the hub, stored) has `spec.replicas`; v2 renames it to
// `spec.scale.count` and adds a default. Every conversion goes through v1.
import { defineCustomResource, s, type KubeObject, type ObjectOf } from 'capstan';

type Fields = Record<string, unknown>;
const specOf = (o: KubeObject) => (o.spec ?? {}) as Fields;

export const Workers = defineCustomResource({
  group: 'conversion.examples.capstan.dev',
  version: 'v1',
  kind: 'Worker',
  plural: 'workers',
  description: 'A pool of workers.',
  spec: s.object({
    replicas: s.integer({ description: 'How many workers.', minimum: 0 }),
    image: s.string({ description: 'What they run.' }),
  }),
  otherVersions: [
    {
      name: 'v2',
      spec: s.object({
        scale: s.object({ count: s.integer({ description: 'How many workers.', minimum: 0 }) }),
        image: s.string({ description: 'What they run.' }),
      }),
      // v2 -> v1: the count becomes replicas.
      toHub: (o) => {
        const { scale, ...rest } = specOf(o);
        return { ...o, spec: { ...rest, replicas: (scale as { count?: number } | undefined)?.count ?? 1 } };
      },
      // v1 -> v2: replicas becomes the count.
      fromHub: (o) => {
        const { replicas, ...rest } = specOf(o);
        return { ...o, spec: { ...rest, scale: { count: replicas } } };
      },
    },
  ],
});

export type Worker = ObjectOf<typeof Workers>;
