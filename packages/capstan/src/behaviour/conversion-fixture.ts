// A custom resource in two versions for the conversion tests: v1 has spec.size (cm); v2 has spec.dimensions.widthMm.
import type { KubeObject } from '../index.js';
import { s } from '../structs/schema/builder.js';
import { defineCustomResource } from '../structs/schema/custom-resource.js';

type Spec = Record<string, unknown>;
const specOf = (o: KubeObject) => (o.spec ?? {}) as Spec;

export const Shelves = defineCustomResource({
  group: 'conversion.capstan.dev',
  version: 'v1',
  kind: 'Shelf',
  plural: 'shelves',
  spec: s.object({ size: s.integer({ description: 'Width in centimetres.' }), label: s.optional(s.string()) }),
  otherVersions: [
    {
      name: 'v2',
      spec: s.object({
        dimensions: s.object({ widthMm: s.integer({ description: 'Width in millimetres.' }) }),
        label: s.optional(s.string()),
      }),
      toHub: (o) => {
        const { dimensions, ...rest } = specOf(o);
        return { ...o, spec: { ...rest, size: Math.round(((dimensions as { widthMm: number }).widthMm ?? 0) / 10) } };
      },
      fromHub: (o) => {
        const { size, ...rest } = specOf(o);
        return { ...o, spec: { ...rest, dimensions: { widthMm: (size as number) * 10 } } };
      },
    },
  ],
});
