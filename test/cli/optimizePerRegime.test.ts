/**
 * `regimen optimize --per-regime` (issue 11 item 8): the study's trials scored per regime once it
 * completes, one set per regime or the global set with the reason, in the report and --json, run here and
 * through a running `regimen serve` alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StudyDetail } from '../../src/shared/optimizeContract.ts';
import { runCli } from '../support/runCli.ts';
import { serve } from '../support/serveProcess.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A 19-point grid (fast < slow) on GOOG's day bars, regimes from the rule detector, 3 trades to earn a set. */
const study = [
  'optimize',
  '--symbol',
  'GOOG',
  '--timeframe',
  '1d',
  '--strategy',
  'sma-cross',
  '--space',
  'fast=5:20:5',
  '--space',
  'slow=20:60:10',
  '--constraint',
  'fast<slow',
  '--sampler',
  'grid',
  '--seed',
  '7',
  '--workers',
  '1',
  '--per-regime',
  '--detector',
  'rules',
  '--detector-min-dwell',
  '10',
  '--min-trades',
  '3',
];

describe.skipIf(!goog.present)(`regimen optimize --per-regime${goog.skipReason}`, () => {
  it("takes the detector's settings with --per-regime only, and refuses a jump-only one on another detector", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-per-regime-flags-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const base = [...study.slice(0, study.indexOf('--per-regime')), '--data-dir', dataDir];
    const alone = await runCli([...base, '--halflife', '2']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--halflife needs --per-regime');
    const rules = await runCli([...study, '--data-dir', dataDir, '--halflife', '2']);
    expect(rules.code).toBe(2);
    expect(rules.stderr).toContain('--halflife applies to the jump detector only, not rules, got 2');
    const dwellAlone = await runCli([...base, '--detector-min-dwell', '10']);
    expect(dwellAlone.stderr).toContain('--detector-min-dwell needs --per-regime');
    const dwell = study.indexOf('--detector-min-dwell') + 1;
    const noDwell = await runCli([...study.with(dwell, '0'), '--data-dir', dataDir]);
    expect(noDwell.code).toBe(2);
    expect(noDwell.stderr).toContain('--detector-min-dwell must be at least 1 bar, got 0');
  });

  it('reports one set per regime or the global set with the reason, here and through serve', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-per-regime-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const d = ['--data-dir', dataDir];
    expect((await runCli(['data', 'import', goog.path, '--symbol', 'GOOG', ...d])).code).toBe(0);

    const refused = await runCli([...study.filter((arg) => arg !== '--per-regime'), ...d]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--detector needs --per-regime');

    const here = await runCli([...study, '--json', ...d]);
    expect(here.code, here.stderr).toBe(0);
    const { perRegime } = JSON.parse(here.stdout) as { perRegime: NonNullable<StudyDetail['perRegime']> };
    // The detector's own dwell is stored apart from the regime sets' (--min-dwell, 5 by default).
    expect(perRegime.settings).toEqual({
      detector: 'rules',
      settings: { minDwell: 10 },
      axis: 'volatility',
      minTrades: 3,
      minDwell: 5,
    });
    expect(perRegime.error).toBeNull();
    const result = perRegime.result!;
    expect(result.regimes.map((r) => r.label)).toEqual(['low', 'normal', 'high']);
    // Every grid point had the trades to count (--min-trades applies to trials too): 19 x (3 regimes + global).
    expect(result.trialCount).toBe(19 * 4);
    for (const r of result.regimes) {
      // A regime's own set has the trades it needs; a fallback trades the global set and says why.
      if (r.fellBack) {
        expect(r.params).toEqual(result.global.params);
        expect(r.reason).toMatch(/trades in the regime|never occurred|own set not better than global/);
      } else {
        expect(r.reason).toBeNull();
        expect(r.score.trades).toBeGreaterThanOrEqual(3);
      }
    }

    // `regimen studies ID` shows the stored sets too.
    const { studyId } = JSON.parse(here.stdout) as { studyId: string };
    const shown = await runCli(['studies', studyId, '--json', ...d]);
    expect((JSON.parse(shown.stdout) as { perRegime: unknown }).perRegime).toEqual(perRegime);

    // Beside a running serve, the study runs there; its report shows the same sets.
    await serve(dataDir, cleanups);
    const owned = await runCli([...study, ...d]);
    expect(owned.code, owned.stderr).toBe(0);
    expect(owned.stdout).toContain(
      "Per regime (rules detector with detector-min-dwell 10, volatility; a regime's own set needs 3 trades",
    );
    const row = (label: string) =>
      owned.stdout.split('\n').find((line) => line.trim().startsWith(`${label} `));
    for (const r of result.regimes) {
      const cells = row(r.label)
        ?.trim()
        .split(/\s{2,}/);
      expect(cells?.[1], r.label).toBe(
        Object.entries(r.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      );
      expect(cells?.at(-1)).toBe(r.fellBack ? `global set: ${r.reason}` : 'its own best');
    }
  }, 120_000);
});
