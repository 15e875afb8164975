/**
 * Requests answered while long work runs (issue 9 item 9): the worst app:info round trip through the
 * services' dispatch while a 2.3M-point grid is counted and while data:quality assesses the demo
 * market's 1-minute span. Baselines from the same run: the old point-by-point grid scan (timed on the
 * first 100k points and scaled, since the whole scan takes tens of seconds) and the same quality
 * assessment run in process, which is how long a request used to wait. Then a study start's warm-up
 * measure on this thread, over the same 1m bars, with every init on all of them (before) and as
 * studySetup's studyWarmUp runs it now. CPU time and load average are
 * printed because the machine is shared.
 */
import { loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assessQuality } from '../src/core/data/quality.ts';
import { countFeasible } from '../src/core/optimize/samplers/grid.ts';
import {
  createSpace,
  gridPoint,
  gridSize,
  intParam,
  satisfiesConstraints,
} from '../src/core/optimize/space.ts';
import { MemorySecretStore } from '../src/main/secrets/secretStore.ts';
import { dispatch } from '../src/main/services/dispatch.ts';
import { studyRecords } from '../src/main/services/optimize/studyRecords.ts';
import { proposalFromTrial } from '../src/main/services/live/studyProposal.ts';
import type { OptimizeStartResult } from '../src/shared/optimizeContract.ts';
import { createServices, type Services } from '../src/main/services/services.ts';
import { prepareDataset, strategyPlots } from '../src/core/engine/backtest.ts';
import { strategySpace } from '../src/core/optimize/space.ts';
import { warmupProbes } from '../src/core/optimize/warmup.ts';
import { getStrategy } from '../src/core/strategy/index.ts';
import type { StrategyParams } from '../src/core/strategy-api/types.ts';
import { datasetFingerprint } from '../src/main/compute/fingerprint.ts';
import { studyStrategyRef } from '../src/main/services/backtest/strategyCatalog.ts';
import { studyWarmUp } from '../src/main/services/optimize/studySetup.ts';

/** Sends app:info back to back until `work` settles; the slowest round trip in ms. */
async function worstInfoLatency(services: Services, work: () => Promise<unknown>): Promise<number> {
  let done = false;
  let worst = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      await dispatch(services.handlers, 'app:info', {});
      worst = Math.max(worst, performance.now() - started);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  // Let the probe start before the work so a blocked loop shows as one long round trip.
  await new Promise((resolve) => setImmediate(resolve));
  await work();
  done = true;
  await probe;
  return worst;
}

function line(name: string, ms: number, note = ''): void {
  console.log(`${name.padEnd(58)} ${ms.toFixed(1).padStart(10)} ms ${note}`);
}

export async function runMainThreadBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-main-thread-bench-'));
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const services = await createServices({
    dataDir: dir,
    host: 'http',
    threads: 1,
    secrets: new MemorySecretStore(),
    env: {},
  });
  try {
    const space = createSpace(
      [intParam('fast', 1, 150), intParam('slow', 1, 150), intParam('stop', 0, 102)],
      ['fast<slow'],
    );
    const size = gridSize(space);
    const sample = 20_000;
    const scanStarted = performance.now();
    for (let i = 0; i < sample; i++) satisfiesConstraints(space, gridPoint(space, i));
    line(
      `old grid scan, ${size} points (scaled from ${sample})`,
      ((performance.now() - scanStarted) * size) / sample,
    );
    line(
      `app:info worst while counting ${size} points`,
      await worstInfoLatency(services, async () => countFeasible(space, 5)),
    );

    const [dataset] = await services.marketData.list();
    const bars = await services.marketData.read(dataset!.symbol, '1m');
    const assessStarted = performance.now();
    assessQuality(bars, { symbol: dataset!.symbol, timeframe: '1m' });
    line(`quality in process, ${bars.t.length} 1m bars (old wait)`, performance.now() - assessStarted);
    const request = { symbol: dataset!.symbol, timeframe: '1m' };
    line(
      `app:info worst while data:quality runs on the pool`,
      await worstInfoLatency(services, () => dispatch(services.handlers, 'data:quality', request)),
    );

    // A study that warms up before its range measures its space's longest warm-up on this thread when it
    // starts (studyWarmUp: a built-in's inits, once per slice). Before: every probe's init on all the 1m
    // bars (each computing its indicators over them); now: through studyWarmUp as a study start runs it.
    const confluence = getStrategy('confluence');
    const confluenceSpace = strategySpace(confluence);
    const seed = 1;
    const everyBarStarted = performance.now();
    const prepared = prepareDataset(bars);
    let everyBar = 0;
    for (const set of warmupProbes(confluenceSpace, seed))
      everyBar = Math.max(everyBar, strategyPlots(prepared, confluence, set as StrategyParams).startIndex);
    line(
      `confluence warm-up, every init on ${bars.t.length} 1m bars (before)`,
      performance.now() - everyBarStarted,
    );
    const probe = studyWarmUp(
      services.pool,
      { strategy: studyStrategyRef('confluence'), options: {}, warmUp: 'before-range' },
      { space: confluenceSpace, seed },
    )!;
    const probeStarted = performance.now();
    const measured = await probe({ id: datasetFingerprint(bars), bars });
    line(
      `confluence warm-up through studyWarmUp, the same bars (now)`,
      performance.now() - probeStarted,
      measured === everyBar ? `(${measured} bars, as before)` : `(${measured} bars, before ${everyBar})`,
    );

    // optimize:approve behind the Optimize view's bar reads: READS reads of the 1m bars asked at once,
    // then the approval, as before the priority lane (its statements one after another, each queued
    // behind the reads' statements that arrived meanwhile) and through it (one block ahead of reads).
    const READS = 20;
    const { studyId } = (await dispatch(services.handlers, 'optimize:start', {
      strategy: 'sma-cross',
      data: { symbol: dataset!.symbol, timeframes: ['1h'] },
      objectives: [{ metric: 'sharpeRatio' }],
      space: [
        { kind: 'int', name: 'fast', low: 3, high: 8 },
        { kind: 'int', name: 'slow', low: 10, high: 20 },
      ],
      trials: 4,
      seed: 5,
    })) as OptimizeStartResult;
    await dispatch(services.handlers, 'job:cancel', { jobId: studyId });
    const approveBehindReads = async (approve: () => Promise<unknown>): Promise<[number, number]> => {
      const started = performance.now();
      const reads = Array.from({ length: READS }, () => services.marketData.read(dataset!.symbol, '1m'));
      await approve();
      const approved = performance.now() - started;
      await Promise.all(reads);
      return [approved, performance.now() - started];
    };
    const params = { fast: 5, slow: 20 };
    // The approval's statements as before the lane: each queued behind what arrived meanwhile.
    const records = studyRecords(services.db);
    const [plain, plainReads] = await approveBehindReads(async () => {
      await records.get(studyId);
      await records.approve(studyId, params);
      await records.get(studyId);
    });
    line(
      `approval's statements in turn (before), behind ${READS} 1m bar reads`,
      plain,
      `(reads ${plainReads.toFixed(0)} ms)`,
    );
    const [priority, priorityReads] = await approveBehindReads(() =>
      dispatch(services.handlers, 'optimize:approve', { studyId, params }),
    );
    line(
      `optimize:approve (priority lane), behind ${READS} 1m bar reads`,
      priority,
      `(reads ${priorityReads.toFixed(0)} ms)`,
    );

    // live:propose's study reads (the Optimize view's Propose for live): the study row and its trials,
    // in turn as before and as one priority block (proposalFromTrial, which also seals the set; the study
    // recorded its bars' fingerprint, so no bar is read), for a study of 50 complete trials and of 5,000
    // (the block's own length grows with them). Behind READS reads of the 1m bars already queued: the
    // bars' own statement, each one chunked read as BarsRepository.read runs it (a read asked through
    // marketData first queues its short look-ups, so a request made at the same moment goes before its
    // long part and shows little of the queue).
    const { sql, params: barParams } = await services.bars.selectSql(dataset!.symbol, '1m');
    const behindQueuedReads = async (work: () => Promise<unknown>): Promise<[number, number]> => {
      const started = performance.now();
      const reads = Array.from({ length: READS }, () =>
        services.db.exclusive(
          async () => (await services.db.connection.run(sql, barParams)).fetchAllChunks(),
          'read',
        ),
      );
      await work();
      const done = performance.now() - started;
      await Promise.all(reads);
      return [done, performance.now() - started];
    };
    let stored = 0;
    for (const size of [50, 5_000]) {
      const trials = Array.from({ length: size - stored }, (_, j) => {
        const k = stored + j;
        return {
          number: 1_000 + k,
          params: { fast: 3 + (k % 6), slow: 10 + (k % 11) },
          status: 'complete' as const,
          values: [k / size],
          metrics: { sharpeRatio: k / size, totalReturn: k / 10_000, numTrades: 10 + (k % 7) },
          feasible: true,
          seed: k,
          startedAt: 0,
          finishedAt: 1,
        };
      });
      await records.saveTrials(studyId, trials);
      stored = size;
      const propose = () => proposalFromTrial(records, services.bars, studyId, 1_000);
      await propose();
      const alone = performance.now();
      await propose();
      line(`live:propose's study reads alone, ${size} trials`, performance.now() - alone);
      const [before, beforeReads] = await behindQueuedReads(async () => {
        await records.get(studyId);
        await records.loadTrials(studyId);
      });
      line(
        `  the same reads in turn (before), behind ${READS} queued 1m bar reads`,
        before,
        `(reads ${beforeReads.toFixed(0)} ms)`,
      );
      const [laned, lanedReads] = await behindQueuedReads(propose);
      line(
        `  proposalFromTrial (priority lane), behind ${READS} queued 1m bar reads`,
        laned,
        `(reads ${lanedReads.toFixed(0)} ms)`,
      );
    }
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const used = process.cpuUsage(cpu);
  console.log(
    `cpu: ${((used.user + used.system) / 1000).toFixed(0)} ms main process over ${(performance.now() - wall).toFixed(0)} ms wall; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (2 cores)`,
  );
}
