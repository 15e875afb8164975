/**
 * The commands that were refused while another process owned the data folder (issue 8 item 4, the rest):
 * `demo`, `learner backfill`, `learner recommend --from-ledger` and `optimize --csv` now go through the
 * owning `regimen serve` and answer as they do in-process; `walk-forward --out` writes the same file. The folder is copied before the server starts;
 * each command runs in-process on the copy and through the server on the original, from the same state
 * (the demo, whose bars are fixed, is checked against what it must write: it takes ~10 s per run).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket } from '../../src/core/data/synthetic.ts';
import { DEMO_MARKET } from '../../src/main/services/demoMarket.ts';
import { runCli } from '../support/runCli.ts';
import { readmeGridArgs } from '../support/readmeGrid.ts';
import { serve } from '../support/serveProcess.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-owner-channels-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A study's outcome without what differs between runs (its id, times and speed). */
function outcome(stdout: string) {
  const r = JSON.parse(stdout) as {
    name: string;
    state: string;
    best: { number: number; params: unknown };
    trials: { number: number; params: unknown; values: unknown }[];
  };
  return {
    name: r.name,
    state: r.state,
    best: [r.best.number, r.best.params],
    trials: r.trials.map((t) => [t.number, t.params, t.values]),
  };
}

const walkForward = [
  'walk-forward',
  '--symbol',
  'GOOG',
  '--timeframe',
  '1d',
  '--strategy',
  'sma-cross',
].concat(
  ['--space', 'fast=5:10:5', '--space', 'slow=30:40:10', '--sampler', 'grid', '--trials', '4'],
  ['--objective', 'sharpeRatio', '--unit', 'bars', '--train', '250', '--test', '120', '--step', '120'],
  ['--seed', '3'],
);

describe.skipIf(!goog.present)(
  `commands that write or read the folder beside regimen serve${goog.skipReason}`,
  () => {
    it('demo, learner backfill, learner recommend --from-ledger, optimize --csv and walk-forward --out answer as in-process', async () => {
      const dataDir = tempDir();
      const d = ['--data-dir', dataDir];
      expect((await runCli(['data', 'import', goog.path, '--symbol', 'GOOG', ...d])).code).toBe(0);
      // Walk-forward windows give the ledger scored rows, so the backfilled learner has learned something.
      const walk = await runCli([...walkForward, ...d]);
      expect(walk.code, walk.stderr).toBe(0);
      const twin = tempDir();
      cpSync(dataDir, twin, { recursive: true });

      const recommend = ['learner', 'recommend', '--symbol', 'GOOG', '--timeframe', '1d', '--from-ledger'];
      const csvStudy = [...readmeGridArgs(goog.path), '--seed', '5', '--json'];
      // Last: its windows reach the ledger, which the learner commands above read.
      const files = tempDir();
      const walkOut = (ext: string) => [...walkForward, '--out', join(files, `${ext}.${ext}`)];
      const commands = [
        ['learner', 'backfill', '--json'],
        [...recommend, '--trials', '16', '--json'],
        csvStudy,
        walkOut('html'),
        walkOut('csv'),
      ];
      const here = [];
      const written: string[] = [];
      for (const command of commands) {
        here.push(await runCli([...command, '--data-dir', twin]));
        const out = command.indexOf('--out');
        if (out >= 0) {
          written.push(readFileSync(command[out + 1]!, 'utf8'));
          rmSync(command[out + 1]!);
        }
      }
      for (const [i, run] of here.entries())
        expect(run.code, `${commands[i]!.join(' ')}: ${run.stderr}`).toBe(0);
      expect(JSON.parse(here[0]!.stdout)).toMatchObject({ windows: expect.any(Number) });
      expect((JSON.parse(here[0]!.stdout) as { windows: number }).windows).toBeGreaterThan(0);
      expect(JSON.parse(here[1]!.stdout)).toMatchObject({ basis: expect.stringMatching(/version [1-9]/) });

      const server = await serve(dataDir, cleanups);
      const there = [];
      for (const command of commands) there.push(await runCli([...command, ...d]));
      for (const [i, run] of there.entries()) {
        expect(run.code, `${commands[i]!.join(' ')}: ${run.stderr}`).toBe(0);
        expect(run.stderr, commands[i]!.join(' ')).not.toMatch(/needs the data folder|cannot be sent/);
      }
      expect(there[0]!.stdout).toBe(here[0]!.stdout);
      expect(there[1]!.stdout).toBe(here[1]!.stdout);
      expect(there[2]!.stderr).toMatch(/running in the Regimen server \(pid \d+, port \d+\)/);
      expect(outcome(there[2]!.stdout)).toEqual(outcome(here[2]!.stdout));
      // walk-forward --out through the owner writes what it writes in-process (it used to write nothing).
      for (const [i, ext] of ['html', 'csv'].entries()) {
        expect(there[3 + i]!.stderr).toMatch(/walk-forward running in the Regimen server/);
        expect(readFileSync(join(files, `${ext}.${ext}`), 'utf8'), ext).toBe(written[i]);
      }
      expect(written[0]).toContain('data-testid="worst-drawdowns"');
      // --overwrite's rule holds beside the owner too, applied before anything is sent to it.
      const refused = await runCli([...walkOut('csv'), ...d]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('already exists: choose another --out or pass --overwrite');
      expect(refused.stderr).not.toContain('walk-forward running');
      // The demo market is fixed (seed and dates): what the server wrote is known without writing it here.
      const market = createSyntheticMarket(DEMO_MARKET);
      const symbols = market.symbols.map((spec) => spec.symbol);
      const demo = await runCli(['demo', '--json', ...d]);
      expect(demo.code, demo.stderr).toBe(0);
      expect(JSON.parse(demo.stdout)).toMatchObject({
        dataDir,
        symbols,
        bars: market.barCount * symbols.length,
      });
      const listed = JSON.parse((await runCli(['data', 'list', '--json', ...d])).stdout) as {
        symbol: string;
        timeframe: string;
        bars: number;
      }[];
      expect(
        listed
          .filter((row) => symbols.includes(row.symbol))
          .map((row) => [row.symbol, row.timeframe, row.bars])
          .sort(),
      ).toEqual(symbols.map((symbol) => [symbol, '1m', market.barCount]).sort());
      expect(listed.some((row) => row.symbol === 'GOOG')).toBe(true);
      expect([...there, demo].map((run) => run.stdout + run.stderr).join('')).not.toContain(server.token);
      await server.stop();
    }, 120_000);
  },
);
