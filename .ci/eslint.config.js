import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'force-app/**', 'coverage/**', '.loom/**'] },
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
          message: 'Model text comes only from admit() in src/runtime/model-input.ts; do not cast to ModelText or ChatMessage.',
        })),
      ],
    },
  },
  {
    // The CLI and scripts print to the terminal by design.
    files: ['src/cli/**', 'src/bin/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
