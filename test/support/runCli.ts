import { main } from '../../src/main/cli/main.ts';
import { captureIO } from './captureIO.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `regimen <args>` in-process and returns its exit code and what it printed. */
export async function runCli(args: string[], io = captureIO()): Promise<CliRun> {
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** The search the CLI tests run: sma-cross over a 2 x 2 grid (fast 3 or 6, slow 20 or 40). */
export const SMA_GRID = [
  '--strategy',
  'sma-cross',
  '--space',
  'fast=3:6:3',
  '--space',
  'slow=20:40:20',
  '--sampler',
  'grid',
];

/** The walk-forward the CLI tests run on 300 daily bars: 4 trials a window, train 100 / test 60 / step 60 bars. */
export const SMALL_WALK_FORWARD = [
  '--trials',
  '4',
  '--train',
  '100',
  '--test',
  '60',
  '--step',
  '60',
  '--unit',
  'bars',
];

/**
 * Sets a data folder's settings to the priced terms the cost tests run at, through `regimen settings
 * set`: 25,000 cash, 0.1 % commission a side, a 10 bp spread, a 4 % risk-free rate.
 */
export async function setPricedSettings(dataDir: string): Promise<void> {
  for (const [key, value] of [
    ['cash', '25000'],
    ['commissionPercent', '0.1'],
    ['spreadBps', '10'],
    ['riskFreePercent', '4'],
  ] as const) {
    const run = await runCli(['settings', 'set', key, value, '--data-dir', dataDir]);
    if (run.code !== 0) throw new Error(`settings set ${key} ${value}: ${run.stderr}`);
  }
}
