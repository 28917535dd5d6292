// House rules, checked in CI (`npm run lint`): typescript-eslint's type-checked recommended
// rules over every source, test and bench file (type information from tsconfig.test.json, which
// sees the whole repository), and no file over 300 lines.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/db/src/generated/**', 'apps/worker/bench/**', '**/*.cjs', '**/*.mjs', 'prisma.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'max-lines': ['error', { max: 300 }],
      // `_name` marks a binding kept on purpose; a rest sibling leaves out what it destructures.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Off: `async` here is interface conformance (Fastify plugins and handlers, the provider
      // and store ports return promises) more often than a missing await; the hazards it aims
      // at are caught by no-floating-promises and no-misused-promises, which stay on.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
