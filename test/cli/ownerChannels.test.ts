/**
 * The commands that were refused while another process owned the data folder (issue 8 item 4, the rest):
 * `demo`, `learner backfill`, `learner recommend --from-ledger` and `optimize --csv` now go through the
 * owning `regimen serve` and answer as they do in-process. The folder is copied before the server starts;
 * each command runs in-process on the copy and through the server on the original, from the same state
 * (the demo, whose bars are fixed, is checked against what it must write: it takes ~10 s per run).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket } from '../../src/core/data/synthetic.ts';
import { main } from '../../src/main/cli/main.ts';
import { DEMO_MARKET } from '../../src/main/services/demoMarket.ts';
import { captureIO } from '../support/captureIO.ts';
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

async function cli(args: string[]) {
  const io = captureIO();
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
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

describe.skipIf(!goog.present)(
  `commands that write or read the folder beside regimen serve${goog.skipReason}`,
  () => {
    it('demo, learner backfill, learner recommend --from-ledger and optimize --csv answer as in-process', async () => {
      const dataDir = tempDir();
      const d = ['--data-dir', dataDir];
      expect((await cli(['data', 'import', goog.path, '--symbol', 'GOOG', ...d])).code).toBe(0);
      // Walk-forward windows give the ledger scored rows, so the backfilled learner has learned something.
      const walk = await cli(
        ['walk-forward', '--symbol', 'GOOG', '--timeframe', '1d', '--strategy', 'sma-cross'].concat(
          ['--space', 'fast=5:10:5', '--space', 'slow=30:40:10', '--sampler', 'grid', '--trials', '4'],
          [
            '--objective',
            'sharpeRatio',
            '--unit',
            'bars',
            '--train',
            '250',
            '--test',
            '120',
            '--step',
            '120',
          ],
          ['--seed', '3', ...d],
        ),
      );
      expect(walk.code, walk.stderr).toBe(0);
      const twin = tempDir();
      cpSync(dataDir, twin, { recursive: true });

      const recommend = ['learner', 'recommend', '--symbol', 'GOOG', '--timeframe', '1d', '--from-ledger'];
      const csvStudy = [...readmeGridArgs(goog.path), '--seed', '5', '--json'];
      const commands = [
        ['learner', 'backfill', '--json'],
        [...recommend, '--trials', '16', '--json'],
        csvStudy,
      ];
      const here = [];
      for (const command of commands) here.push(await cli([...command, '--data-dir', twin]));
      for (const [i, run] of here.entries())
        expect(run.code, `${commands[i]!.join(' ')}: ${run.stderr}`).toBe(0);
      expect(JSON.parse(here[0]!.stdout)).toMatchObject({ windows: expect.any(Number) });
      expect((JSON.parse(here[0]!.stdout) as { windows: number }).windows).toBeGreaterThan(0);
      expect(JSON.parse(here[1]!.stdout)).toMatchObject({ basis: expect.stringMatching(/version [1-9]/) });

      const server = await serve(dataDir, cleanups);
      const there = [];
      for (const command of commands) there.push(await cli([...command, ...d]));
      for (const [i, run] of there.entries()) {
        expect(run.code, `${commands[i]!.join(' ')}: ${run.stderr}`).toBe(0);
        expect(run.stderr, commands[i]!.join(' ')).not.toMatch(/needs the data folder|cannot be sent/);
      }
      expect(there[0]!.stdout).toBe(here[0]!.stdout);
      expect(there[1]!.stdout).toBe(here[1]!.stdout);
      expect(there[2]!.stderr).toMatch(/running in the Regimen server \(pid \d+, port \d+\)/);
      expect(outcome(there[2]!.stdout)).toEqual(outcome(here[2]!.stdout));
      // The demo market is fixed (seed and dates): what the server wrote is known without writing it here.
      const market = createSyntheticMarket(DEMO_MARKET);
      const symbols = market.symbols.map((spec) => spec.symbol);
      const demo = await cli(['demo', '--json', ...d]);
      expect(demo.code, demo.stderr).toBe(0);
      expect(JSON.parse(demo.stdout)).toMatchObject({
        dataDir,
        symbols,
        bars: market.barCount * symbols.length,
      });
      const listed = JSON.parse((await cli(['data', 'list', '--json', ...d])).stdout) as {
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
