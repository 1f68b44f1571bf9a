// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const storageAdapters = ['@dmp/storage-sqlite', '@dmp/storage-mongo'];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'coverage/**', '**/*.js', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Pure domain code: no web framework, no storage adapter, no driver.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['express', '@dmp/http', '@dmp/storage-*', 'mongodb', 'better-sqlite3'] },
      ],
    },
  },
  {
    // Only a service's composition root picks a storage adapter; services never import each other.
    files: ['services/*/src/**/*.ts'],
    ignores: ['services/*/src/main.ts', 'services/*/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: storageAdapters, patterns: ['@dmp/*-service', '**/services/**'] },
      ],
    },
  },
  {
    // The documents service reaches patient data only through its enforcement point (src/access):
    // routes, use cases, domain and ports never get the store.
    files: ['services/documents/src/{routes,use-cases,domain,ports}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...storageAdapters,
            {
              name: '@dmp/storage',
              importNames: ['ResourceStore', 'StoreTransaction', 'ResourceOperations'],
              message:
                'Patient data goes through the enforcement point (src/access), never the store.',
            },
          ],
          patterns: ['@dmp/*-service', '**/services/**', 'express', '@dmp/storage-*'],
        },
      ],
    },
  },
  {
    // The console's single-page app (browser code, React): the rules of hooks.
    files: ['services/console/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', '**/*.contract.ts', 'tests/**/*.ts'],
    // Test files read untyped HTTP bodies (supertest's `res.body` is `any`) and assert on them.
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      'max-lines': ['error', { max: 700, skipBlankLines: true, skipComments: true }],
    },
  },
);
