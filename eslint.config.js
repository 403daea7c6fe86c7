import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cache/**', 'bench/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
      // A caught `unknown` handed on as a rejection is a rethrow, from a function that must not be async.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*/src/*', '@herald/*/src/*'], message: 'Import a package through its entry point.' }] }],
    },
  },
  {
    // The web UI type-checks against its own tsconfig (DOM lib, JSX, bundler resolution).
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    languageOptions: { parserOptions: { project: './apps/web/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Plain JavaScript (scripts, the worker-free helpers, this config): no type information to lint with.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-undef': 'off' },
  },
  {
    // The pure core: domain rules may not reach into I/O layers.
    files: ['packages/server/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../storage/*', '../api/*', '../ingestion/*', '../messaging/*', '../config/*', 'better-sqlite3', 'pg', 'fastify', 'node:fs', 'node:net'], message: 'domain/ is pure: no I/O and no outer layers.' }] }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts', 'packages/sdk/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@herald/server', '@herald/cli'], message: 'core and sdk must not depend on the server or the CLI.' }] }],
    },
  },
);
