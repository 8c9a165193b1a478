import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lwc from '@lwc/eslint-plugin-lwc';

// The Lightning web components' rules (the set @salesforce/eslint-config-lwc's base config turns on). LWC source uses
// decorators: the typescript-eslint parser reads them (@babel/eslint-parser 7 does not run on ESLint 10).
const lwcRules = Object.fromEntries(
  [
    'valid-api',
    'valid-track',
    'valid-wire',
    'no-api-reassignments',
    'no-async-operation',
    'no-document-query',
    'no-inner-html',
    'no-leading-uppercase-api-name',
    'no-deprecated',
    'no-dupe-class-members',
    'no-attributes-during-construction',
    'no-template-children',
    'no-leaky-event-listeners',
    'consistent-component-name',
    'prefer-custom-event',
  ].map((rule) => [`@lwc/lwc/${rule}`, 'error']),
);
const browserGlobals = Object.fromEntries(
  ['window', 'document', 'setTimeout', 'clearTimeout', 'CustomEvent', 'KeyboardEvent', 'Event'].map((name) => [
    name,
    'readonly',
  ]),
);
const jestGlobals = Object.fromEntries(
  ['jest', 'describe', 'it', 'expect', 'beforeEach', 'afterEach', 'require'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'force-app/**/*',
      '!force-app/**/',
      '!force-app/**/lwc/**/*.js',
      'coverage/**',
      '.loom/**',
      'dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Model text is made in one place (src/runtime/model-input.ts, after screening, masking and wrapping): a cast to
    // ModelText or ChatMessage anywhere else would let text reach a provider request around the trust layers.
    files: ['src/**/*.ts'],
    ignores: ['src/runtime/model-input.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['TSAsExpression', 'TSTypeAssertion'].map((cast) => ({
          selector: `${cast} TSTypeReference[typeName.name=/^(ModelText|ChatMessage)$/]`,
          message:
            'Model text comes only from admit() in src/runtime/model-input.ts; do not cast to ModelText or ChatMessage.',
        })),
      ],
    },
  },
  {
    // Short functions a reader can follow top-down (issue 23): a longer one is split into named steps. Blank lines and
    // comments do not count; a pure data table may say so with an eslint-disable comment and its reason.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The CLI and scripts print to the terminal by design.
    files: ['src/cli/**', 'src/bin/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['force-app/**/lwc/**/*.js', 'test/lwc/**/*.js'],
    languageOptions: { parser: tseslint.parser, globals: browserGlobals },
    plugins: { '@lwc/lwc': lwc },
    rules: lwcRules,
  },
  {
    // Jest mocks load modules lazily with require(), as the LWC testing docs show; tests may wait on timers.
    files: ['test/lwc/**/*.js'],
    languageOptions: { globals: jestGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off', '@lwc/lwc/no-async-operation': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
