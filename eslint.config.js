// Lint rules, including the import linter that keeps capstan's layers pointing one way.
import tseslint from 'typescript-eslint';

// capstan's layers, lowest first: a layer may import only itself and the layers before it.
const layers = ['kits', 'structs', 'client', 'core'];
const above = (layer) => ['core', 'client', 'structs', 'kits'].slice(0, 3 - layers.indexOf(layer));
const forbidLayers = (names, extra = []) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...names.map((n) => ({
          group: [`**/${n}/*`, `**/${n}`],
          message: `capstan layering: this layer must not import ${n} (see DEVELOPERS.md)`,
        })),
        ...extra,
      ],
    },
  ],
});
const noPublicApi = [
  {
    group: ['**/index.js', '**/index.ts', '**/cli/*', '**/testing/*'],
    message: 'capstan layering: internal layers must not import the public API, CLI or testing kit',
  },
];
const noIo = [
  {
    group: ['node:http', 'node:https', 'node:net', 'node:fs', 'node:fs/promises', 'node:child_process', '@kubernetes/*'],
    message: 'structs are pure data: no I/O',
  },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.capstan/**', 'test-artifacts/**', 'docs/api/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-console': 'off',
    },
  },
  ...layers.map((layer) => ({
    files: [`packages/capstan/src/${layer}/**/*.ts`],
    rules: forbidLayers([...above(layer), 'cli', 'testing'], [...noPublicApi, ...(layer === 'structs' ? noIo : [])]),
  })),
  {
    // The core reaches the client layer through its surface only (KubeClient and friends), never its internals.
    files: ['packages/capstan/src/core/**/*.ts'],
    rules: forbidLayers(
      ['cli', 'testing'],
      [
        ...noPublicApi,
        {
          group: ['**/client/*', '!**/client/surface.js'],
          message: 'capstan layering: core imports the client layer through client/surface.js only',
        },
      ],
    ),
  },
  {
    // The engine and the production services meet only in core/operator.ts: neither imports the other.
    files: ['packages/capstan/src/core/engine/**/*.ts'],
    rules: forbidLayers(
      ['cli', 'testing'],
      [
        ...noPublicApi,
        {
          group: ['**/client/*', '!**/client/surface.js'],
          message: 'capstan layering: core imports the client layer through client/surface.js only',
        },
        {
          group: ['**/production/*', '**/production/**'],
          message: 'capstan layering: the engine must not import production services (they plug in through hooks)',
        },
      ],
    ),
  },
  {
    files: ['packages/capstan/src/core/production/**/*.ts'],
    rules: forbidLayers(
      ['cli', 'testing'],
      [
        ...noPublicApi,
        {
          group: ['**/client/*', '!**/client/surface.js'],
          message: 'capstan layering: core imports the client layer through client/surface.js only',
        },
        {
          group: ['**/engine/*', '**/engine/**'],
          message: 'capstan layering: production services must not import the engine (they see it through hooks)',
        },
      ],
    ),
  },
  {
    // Only the client layer speaks HTTP to the API server.
    files: ['packages/capstan/src/{kits,structs,core}/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='fetch']", message: 'only the client layer makes HTTP calls' },
      ],
    },
  },
  {
    // Operators, apps and examples use capstan only through its public API.
    files: ['operators/**/*.ts', 'apps/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['capstan/src/*', 'capstan/dist/*', '**/packages/capstan/**'],
              message: 'use the public API: import from "capstan" or "capstan/testing"',
            },
          ],
        },
      ],
    },
  },
);
