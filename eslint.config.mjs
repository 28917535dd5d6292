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
    },
  },
);
