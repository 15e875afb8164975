/**
 * `regimen studies` listed a study of GOOG, ORCL and NVDA under "symbol GOOG" (its first), and a best
 * value with no metric: 0.2253 of what, for a study that maximised total return or a Pareto study of two
 * objectives? The list names every symbol and the objective the best value is of.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, SMA_GRID } from '../support/runCli.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';

const dir = mkdtempSync(join(tmpdir(), 'regimen-studies-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the list of studies', () => {
  it("names a study's every symbol and the objective its best value is of", async () => {
    const files = [0, 2].map((phase, i) => {
      const path = join(dir, `${['aaa', 'bbb'][i]}.csv`);
      writeFileSync(path, dailyWaveCsv(phase));
      return path;
    });
    const d = ['--data-dir', dir];
    const ran = await runCli([
      'optimize',
      '--csv',
      files.join(','),
      ...SMA_GRID,
      '--objective',
      'totalReturn',
      '--workers',
      '1',
      '--json',
      ...d,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const { studyId, best } = JSON.parse(ran.stdout) as { studyId: string; best: { values: number[] } };
    const listed = await runCli(['studies', ...d]);
    expect(listed.code, listed.stderr).toBe(0);
    const [header, row] = listed.stdout.split('\n');
    expect(header).toMatch(/\bsymbols\s+state\s+trials\s+objective\s+best\b/);
    const best0 = `${(best.values[0]! * 100).toFixed(2)}%`;
    expect(row).toMatch(
      new RegExp(`^${studyId}\\b.*\\bAAA,BBB\\s+complete\\s+\\d+/\\d+\\s+Total return\\s+${best0}\\s`),
    );
  }, 60_000);
});
