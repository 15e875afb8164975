// Layering is enforced here (and by the per-layer tsconfigs): see ../shared/CONVENTIONS.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'http',
  'crypto',
  'url',
];
/**
 * Core modules that import no code (plain data, the cost settings and fee schedules, the rules forms
 * check, the strategy check and a learner's set's skill the Live view shows), so the renderer may import
 * their values; the rest of core runs in main and the workers only.
 */
const RENDERER_CORE_DATA_MODULES = [
  'core/metrics/definitions.ts',
  'core/strategy-api/constraints.ts',
  'core/live/strategyMatch.ts',
  'core/live/learnerBasis.ts',
  'core/engine/assetCosts.ts',
];

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'artifacts/**', 'node_modules/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'react', '**/shared/**', '**/main/**', '**/renderer/**', '**/preload/**'],
      'core is pure TypeScript: it imports nothing outside src/core.',
    ),
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'react', '**/main/**', '**/renderer/**', '**/preload/**'],
      'shared holds the contract: it may import core types and zod only.',
    ),
  },
  {
    // The whole folder, not only worker.ts: the worker's real code is tasks.ts and whatever it imports.
    files: ['src/main/compute/**/*.ts'],
    ignores: ['src/main/compute/**/*.test.ts'],
    rules: restrict(
      [
        'electron',
        '**/store/**',
        '**/marketdata/**',
        '**/secrets/**',
        '**/services/**',
        '**/server/**',
        '**/cli/**',
        '**/livebot/**',
      ],
      'workers import core and shared only.',
    ),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict(
      ['**/core/**', '**/main/**', '**/renderer/**', ...nodeBuiltins],
      'preload sees electron and shared types only.',
    ),
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...restrict(
        [...nodeBuiltins, 'electron', '**/main/**', '**/preload/**'],
        'the renderer talks to main only through the RegimenClient; it imports shared and core types.',
      ),
      // The schemas stay in main: a value import from them would bundle zod into the page. Core's code
      // runs in main and the workers; the page takes its types, and values only from data-only modules.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['zod', '**/shared/contract.ts', '**/shared/*Contract.ts', '**/shared/schemas.ts'],
              allowTypeImports: true,
              message:
                'import types only from the contract (zod-free values live in e.g. shared/fetchChoices.ts).',
            },
            {
              // A regex, as a gitignore negation cannot re-include a file under an excluded folder.
              regex: `(^|/)core/(?!(${RENDERER_CORE_DATA_MODULES.map((path) => path.slice('core/'.length).replaceAll('.', '\\.')).join('|')})$)`,
              allowTypeImports: true,
              message: `the renderer imports core types only; values only from the data-only modules ${RENDERER_CORE_DATA_MODULES.join(', ')}.`,
            },
          ],
        },
      ],
    },
  },
);
