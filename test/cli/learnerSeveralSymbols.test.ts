/**
 * A walk-forward of several symbols records no ledger rows (its windows were scored on the symbols
 * together; a row holds one market's features): the learner's texts said a walk-forward feeds it, and
 * the run said nothing of it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { runCli } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-learner-several-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a walk-forward of several symbols says it is not learned, and the status says what feeds the learner', async () => {
  const d = ['--data-dir', dir];
  const csv = join(dir, 'WAVE.csv');
  writeFileSync(csv, dailyWaveCsv());
  for (const symbol of ['WAVE', 'TWIN'])
    expect((await runCli(['data', 'import', csv, '--symbol', symbol, ...d])).code).toBe(0);
  const run = await runCli([
    'walk-forward',
    '--symbol',
    'WAVE,TWIN',
    '--strategy',
    'sma-cross',
    '--trials',
    '2',
    '--unit',
    'bars',
    '--train',
    '120',
    '--test',
    '40',
    '--step',
    '40',
    ...d,
  ]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toContain(
    "learner: a run of several symbols (WAVE, TWIN) is not learned: its windows were scored on them together and the ledger learns one symbol's market",
  );
  const status = await runCli(['learner', 'status', ...d]);
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toContain('Results ledger: 0 trials, 0 train windows, 0 test windows');
  expect(status.stdout).toContain(
    'No learner yet: a walk-forward of one symbol feeds it (a run of several symbols is scored on them together and not learned)',
  );
});
