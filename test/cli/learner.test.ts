import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../src/core/engine/random-walk.ts';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';

describe('regimen learner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-learner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bars = randomWalkBars(500, 5, { stepMs: 86_400_000, volatility: 0.012 });
  const file = join(dir, 'walk.csv');
  const rows = Array.from(bars.t, (t, i) =>
    [new Date(t).toISOString().slice(0, 10), bars.o[i], bars.h[i], bars.l[i], bars.c[i], bars.v[i]].join(','),
  );
  writeFileSync(file, `date,open,high,low,close,volume\n${rows.join('\n')}\n`);
  const panel = ['--space', 'fast=2:20', '--space', 'slow=5:60', '--sets', '10', '--window-bars', '30'];

  it('evaluate prints every prequential figure beside its baseline and goal, as JSON too', async () => {
    const io = captureIO();
    expect(await main(['learner', 'evaluate', '--csv', file, ...panel, '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ source: 'walk.csv', strategy: 'sma-cross', windowBars: 30, sets: 10 });
    for (const key of [
      'mae',
      'baselineMae',
      'rank',
      'topQuintile',
      'coverage80',
      'coverage90',
      'pairwise',
      'regime',
    ])
      expect(report, key).toHaveProperty(key);
    expect(report['predictions']).toBe((report['windows'] as number) * 10);
    const text = captureIO();
    expect(await main(['learner', 'evaluate', '--csv', file, ...panel], text)).toBe(0);
    expect(text.stdout).toMatch(/top-quintile precision .*%.*>= 30\.0 %/);
    expect(text.stdout).toMatch(/next regime .* stays: /);
  });

  it('recommend answers with a set, its intervals and confidence, or keeps the current set with the reason', async () => {
    const io = captureIO();
    expect(
      await main(['learner', 'recommend', '--csv', file, ...panel, '--trials', '16', '--json'], io),
    ).toBe(0);
    const r = JSON.parse(io.stdout) as { action: string; params: Record<string, number> };
    expect(['switch', 'keep']).toContain(r.action);
    expect(r.params['fast']).toBeLessThan(r.params['slow']!);
    const kept = captureIO();
    expect(
      await main(
        ['learner', 'recommend', '--csv', file, ...panel, '--trials', '16', '--threshold', '1'],
        kept,
      ),
    ).toBe(0);
    expect(kept.stdout).toMatch(/^Keep the current set: confidence 0\.\d\d is below the threshold 1/);
  });

  it('refuses settings that leave too few windows, naming the flag', async () => {
    const io = captureIO();
    expect(await main(['learner', 'evaluate', '--csv', file, ...panel, '--window-bars', '300'], io)).toBe(2);
    expect(io.stderr).toMatch(/--window-bars/);
  });
});
