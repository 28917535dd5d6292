// House rules, checked in CI (`npm run lint`): typescript-eslint's type-checked recommended
// rules over every source, test and bench file, with the type information of
// tsconfig.test.json (which sees the whole repository).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/db/src/generated/**', 'apps/worker/bench/**', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
  },
);
