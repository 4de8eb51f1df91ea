import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', '.local/', 'coverage/', 'bench/out/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // No spread into a call (push(...x), Math.max(...x), String.fromCharCode(...x)): V8 puts
    // every element on the stack and throws RangeError past ~120,000, which a delivery's
    // findings or records can reach (issue 9). Loops or concat instead. The one exception
    // spreads a BatchGetItem page (at most 100 items, DynamoDB's limit).
    files: ['lib/**/*.ts', 'bin/**/*.ts', 'functions/**/*.ts'],
    ignores: ['lib/aws/dynamodb-baseline-store.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'CallExpression > SpreadElement', message: 'No spread into a call: an unbounded array overflows the stack (use a loop or concat).' },
        { selector: 'NewExpression > SpreadElement', message: 'No spread into a call: an unbounded array overflows the stack (use a loop or concat).' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // a focused or skipped test must never land
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' }, { object: 'it', property: 'skip' },
        { object: 'test', property: 'only' }, { object: 'test', property: 'skip' },
        { object: 'describe', property: 'only' }, { object: 'describe', property: 'skip' },
      ],
      'no-restricted-globals': ['error', 'fit', 'fdescribe', 'xit', 'xdescribe', 'xtest'],
    },
  },
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
