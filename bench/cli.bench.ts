/**
 * Whole-process CLI timings (figures printed, never asserted): `regimen --help` and the README's
 * 50-combination sma-cross grid on GOOG, each as a fresh `node bin/regimen.js` process, from the
 * TypeScript sources through tsx (REGIMEN_FROM_SOURCES=1, the baseline) and from the compiled out/cli
 * (built first), and the grid on the pool's threads (--workers) beside it, as it ran before small studies
 * ran in-process. Targets: --help under 0.3 s, the grid under 1.5 s. When python3 has backtesting.py, the
 * same grid there (whole process, import included) is printed beside it.
 * Run: npx tsx bench/cli.bench.ts (or `npm run bench -- cli`)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../src/core/math/statistics.ts';
import { readmeGridArgs } from '../test/support/readmeGrid.ts';
import { sharedDataFile } from '../test/support/sharedData.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/regimen.js');
const RUNS = 5;

export interface CliBenchResult {
  /** Median seconds per case and mode; absent cases were skipped (no data). */
  readonly seconds: Readonly<Record<string, { sources: number; compiled: number }>>;
  readonly backtestingPy: number | null;
  /** Median seconds of `node -e 0`: what any process costs on this machine now (load included). */
  readonly nodeStartup: number;
}

/**
 * Median wall time of `runs` fresh processes of `bin/regimen.js` (or of node itself with `script` []);
 * each gets its own empty data folder.
 */
function time(args: readonly string[], fromSources: boolean, runs: number, script = [BIN]): number {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-cli-bench-'));
    try {
      const started = performance.now();
      const result = spawnSync(process.execPath, [...script, ...args], {
        env: { ...process.env, REGIMEN_DATA_DIR: dataDir, REGIMEN_FROM_SOURCES: fromSources ? '1' : '0' },
        encoding: 'utf8',
      });
      seconds.push((performance.now() - started) / 1000);
      if (result.status !== 0) throw new Error(`regimen ${args[0]} failed: ${result.stderr}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return median(seconds);
}

const BACKTESTING_PY = `
import sys, pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import SMA
class SmaCross(Strategy):
    fast = 10
    slow = 20
    def init(self):
        self.a = self.I(SMA, self.data.Close, self.fast)
        self.b = self.I(SMA, self.data.Close, self.slow)
    def next(self):
        if crossover(self.a, self.b): self.position.close(); self.buy()
        elif crossover(self.b, self.a): self.position.close(); self.sell()
data = pd.read_csv(sys.argv[1], index_col=0, parse_dates=True)
bt = Backtest(data, SmaCross, cash=10_000, commission=0.002)
bt.optimize(fast=range(5, 26, 5), slow=range(10, 66, 5), constraint=lambda p: p.fast < p.slow,
            maximize='Equity Final [$]', method='grid')
`;

function backtestingPy(csv: string, log: (line: string) => void): number | null {
  const probe = spawnSync('python3', ['-c', 'import backtesting'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    log('backtesting.py: absent (python3 with the backtesting package not found), no figure beside it');
    return null;
  }
  const seconds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    execFileSync('python3', ['-c', BACKTESTING_PY, csv]);
    seconds.push((performance.now() - started) / 1000);
  }
  return median(seconds);
}

export async function runCliBench(log: (line: string) => void = console.log): Promise<CliBenchResult> {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'inherit' });
  const results: Record<string, { sources: number; compiled: number }> = {};
  const report = (name: string, target: number, args: readonly string[]): void => {
    const sources = time(args, true, RUNS);
    const compiled = time(args, false, RUNS);
    results[name] = { sources, compiled };
    log(
      `${name}: ${compiled.toFixed(2)} s compiled (target < ${target} s), ${sources.toFixed(2)} s from sources via tsx ` +
        `(${(sources / compiled).toFixed(1)}x); median of ${RUNS} whole processes`,
    );
  };
  // A bare node process, measured in the same run: on a loaded machine it alone can exceed the targets.
  const nodeStartup = time(['-e', '0'], false, RUNS, []);
  log(`node -e 0 (any process, the floor under both figures): ${nodeStartup.toFixed(2)} s`);
  report('regimen --help', 0.3, ['--help']);
  const goog = sharedDataFile('GOOG.csv');
  let python: number | null = null;
  if (!goog.present) log(`50-combination grid on GOOG: skipped${goog.skipReason}`);
  else {
    report('50-combination sma-cross grid on GOOG', 1.5, readmeGridArgs(goog.path));
    // The same grid on the pool's threads (--workers asks for them), as it ran before small studies ran
    // in-process: the baseline of that choice.
    const threads = availableParallelism();
    const pooled = time([...readmeGridArgs(goog.path), '--workers', String(threads)], false, RUNS);
    log(`  the same grid on ${threads} pool threads (--workers ${threads}): ${pooled.toFixed(2)} s compiled`);
    python = backtestingPy(goog.path, log);
    if (python !== null) log(`backtesting.py, same grid as a whole process: ${python.toFixed(2)} s`);
  }
  return { seconds: results, backtestingPy: python, nodeStartup };
}

if (import.meta.url === `file://${process.argv[1]}`) await runCliBench();
