/**
 * `regimen studies ID --importance score|METRIC`: the Optimize view's parameter importance from the CLI,
 * the same answer as the optimize:importance request the chart asks, for the score or one objective by
 * its metric; a metric the study does not optimise is refused naming the ones it does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/services/dispatch.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { runCli } from '../support/runCli.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { testServices } from '../support/serviceHost.ts';

describe('regimen studies --importance', () => {
  const dir = tempDir('regimen-cli-importance-');
  afterAll(() => dir.remove());

  it("answers as the importance chart's request does, for the score and for an objective", async () => {
    const d = ['--data-dir', dir.path];
    const csv = join(dir.path, 'WAVE.csv');
    writeFileSync(csv, dailyWaveCsv());
    const study = await runCli([
      ...[
        'optimize',
        '--csv',
        csv,
        '--strategy',
        'sma-cross',
        '--space',
        'fast=3:15',
        '--space',
        'slow=20:60',
      ],
      ...['--sampler', 'random', '--trials', '24', '--seed', '2', '--objective', 'sharpeRatio'],
      ...['--objective', 'maxDrawdown:min', '--mode', 'weighted', '--workers', '1', '--json', ...d],
    ]);
    expect(study.code, study.stderr).toBe(0);
    const { studyId } = JSON.parse(study.stdout) as { studyId: string };

    const answers: unknown[] = [];
    for (const measure of ['score', 'maxDrawdown']) {
      const ran = await runCli(['studies', studyId, '--importance', measure, '--json', ...d]);
      expect(ran.code, ran.stderr).toBe(0);
      answers.push(JSON.parse(ran.stdout));
    }
    const services = await testServices(dir.path);
    try {
      for (const [i, measure] of (['score', 1] as const).entries())
        expect(answers[i]).toEqual(
          await dispatch(services.handlers, 'optimize:importance', { studyId, measure }),
        );
    } finally {
      await services.close();
    }
    const [score] = answers as { params: { name: string; importance: number }[]; trialsUsed: number }[];
    expect(score!.trialsUsed).toBe(24);
    expect(score!.params.reduce((sum, p) => sum + p.importance, 0)).toBeCloseTo(1, 9);

    const table = await runCli(['studies', studyId, '--importance', 'score', ...d]);
    expect(table.stdout).toMatch(/^Parameter importance for the score over 24 trials/);
    expect(table.stdout).toMatch(/^fast +\d+\.\d% +\d\.\d{3}$/m);
    const refused = await runCli(['studies', studyId, '--importance', 'sortinoRatio', ...d]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--importance must be score or one of the study\'s objectives (sharpeRatio, maxDrawdown), got "sortinoRatio"',
    );
  }, 60_000);
});
