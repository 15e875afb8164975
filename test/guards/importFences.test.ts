import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layer fences in eslint.config.js, probed with planted imports: each must fire where the
 * architecture review found a hole (a database import in compute/tasks.ts, runBacktest in the renderer).
 */
// Only the import rules are under test: without the type-aware rules no TypeScript program is built.
const eslint = new ESLint({
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.endsWith('no-restricted-imports') === true)
    .map((m) => `${m.line}`);
}

describe('import fences', () => {
  it('refuse the store, services and secrets anywhere under src/main/compute', async () => {
    const planted = [
      "import { Database } from '../store/database.ts';",
      "import { EventBus } from '../services/events.ts';",
      "import { openSecretStore } from '../secrets/secretStore.ts';",
      "import { parseBarsCsv } from '../../core/data/csv/read.ts';",
      'export const all = [Database, EventBus, openSecretStore, parseBarsCsv];',
    ].join('\n');
    expect(await restrictedImports(planted, 'src/main/compute/tasks.ts')).toEqual(['1', '2', '3']);
    expect(await restrictedImports(planted, 'src/main/compute/pool.ts')).toEqual(['1', '2', '3']);
  });

  it('let the renderer import core types, and values only from the data-only modules', async () => {
    const planted = [
      "import { runBacktest } from '../../core/engine/index.ts';",
      "import type { Bars } from '../../core/data/bars.ts';",
      "import { METRIC_DEFINITIONS } from '../../core/metrics/definitions.ts';",
      "import { type Timeframe, TIMEFRAMES } from '../../core/data/bars.ts';",
      "import { constraintViolation } from '../../core/strategy-api/constraints.ts';",
      'export const all = [runBacktest, METRIC_DEFINITIONS, TIMEFRAMES, constraintViolation];',
      'export type Both = Bars | Timeframe;',
    ].join('\n');
    expect(await restrictedImports(planted, 'src/renderer/store/appStore.ts')).toEqual(['1', '4']);
  });
});
