// The typed Greeting custom resource of example 05: one schema gives both the TypeScript type and the CRD.
import { defineCustomResource, s, type ObjectOf } from 'capstan';

export const Greetings = defineCustomResource({
  // Its own group: example 02 already owns greetings.examples.capstan.dev in a shared test cluster.
  group: 'production.examples.capstan.dev',
  version: 'v1',
  kind: 'Greeting',
  plural: 'greetings',
  description: 'A greeting, written to a ConfigMap owned by the Greeting.',
  spec: s.object({
    name: s.string({ description: 'Whom to greet.', minLength: 1 }),
    language: s.optional(s.string({ description: 'Language of the greeting.', enum: ['en', 'cs'], default: 'en' })),
  }),
  status: s.object({
    message: s.optional(s.string()),
    observedGeneration: s.optional(s.integer()),
    conditions: s.optional(s.array(s.preserveUnknown())),
  }),
  printerColumns: [
    { name: 'Message', type: 'string', jsonPath: '.status.message' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  ],
});

export type Greeting = ObjectOf<typeof Greetings>;
