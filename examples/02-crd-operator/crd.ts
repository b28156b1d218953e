// The Greeting CRD for example 02 (apply with `kubectl apply -f` after printing it, or create it from code as the test does).
export const greetingCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'greetings.examples.capstan.dev' },
  spec: {
    group: 'examples.capstan.dev',
    scope: 'Namespaced',
    names: { kind: 'Greeting', plural: 'greetings', singular: 'greeting', listKind: 'GreetingList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'Message', type: 'string', jsonPath: '.status.message' }],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['name'],
                properties: {
                  name: { type: 'string', description: 'Whom to greet.' },
                  language: { type: 'string', enum: ['en', 'cs'], description: 'Language of the greeting.' },
                },
              },
              status: { type: 'object', properties: { message: { type: 'string' }, observedGeneration: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
};
