import { severalSymbolsNotLearnedText } from '../../shared/learnerFeedText.ts';
import { firstIndexAtOrAfter, TIMEFRAMES, type Bars, type Timeframe } from '../../core/data/bars.ts';
import { marketRegime, windowLedgerEntries, type LedgerEntry } from '../../core/ml/learner/ledger.ts';
import { studyRecords } from '../services/optimize/studyRecords.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import type { Database } from '../store/database.ts';
import { LedgerRepository } from '../store/ledgerRepository.ts';
import { WalkForwardRepository } from '../store/walkForwardRepository.ts';
import { studyTrialEntries } from './ledgerEntries.ts';
import { LedgerLearner } from './ledgerLearner.ts';
import { withStanding } from './standing.ts';
import type { LearnerBackfillReport } from '../../shared/learnerContract.ts';
import type { Job } from '../services/jobs.ts';

/**
 * Records in the ledger what was stored before it existed (or while its hook was off): every complete
 * trial of every study and every stored walk-forward window. A window's market features need its bars:
 * they are read from the cache by symbol and timeframe and the window found by its start time; a run on
 * a file, or on bars the cache no longer holds as they were, is skipped with the reason. Rows already in
 * the ledger are left as they are, so a backfill may run any number of times. The windows skipped are
 * remembered with the reason, so the start-up check stops counting them missing (each backfill tries
 * them again and remembers what it skipped). The learner then learns what arrived.
 */
export async function backfillLedger(
  db: Database,
  job?: Pick<Job, 'progress' | 'throwIfCancelled'>,
): Promise<LearnerBackfillReport> {
  const ledger = new LedgerRepository(db);
  const records = studyRecords(db);
  const now = Date.now();
  let added = 0;
  let trials = 0;
  const studies = await records.list();
  const windows = await new WalkForwardRepository(db).allWindows();
  const total = studies.length + windows.length;
  let done = 0;
  // Each step yields to the event loop first, so a job:cancel that arrived meanwhile is seen.
  const step = async (stage: string): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    job?.throwIfCancelled();
    job?.progress(++done, total, { stage });
  };
  for (const study of studies) {
    await step('studies');
    const entries = studyTrialEntries(
      study.id,
      study.data.definition,
      await records.loadTrials(study.id),
      now,
    );
    trials += entries.length;
    added += await ledger.append(entries);
  }

  const skipped: { runId: string; index: number; reason: string }[] = [];
  const bars = new BarsRepository(db);
  const markets = new Map<string, { bars: Bars; market: ReturnType<typeof marketRegime> } | null>();
  const entries: LedgerEntry[] = [];
  for (const stored of windows) {
    await step('walk-forward windows');
    const skip = (reason: string): void => {
      skipped.push({ runId: stored.runId, index: stored.window.index, reason });
    };
    // A run's symbol is its symbols joined by '+' (which no symbol holds). Its windows were scored on the
    // symbols together, while a ledger row holds one market's features: such runs are not recorded as they
    // run either (walkForwardService), so the backfill says so rather than look for bars of "GOOG+ORCL".
    if (stored.symbol.includes('+')) {
      skip(severalSymbolsNotLearnedText(stored.symbol.split('+')));
      continue;
    }
    const key = `${stored.symbol}\u0000${stored.timeframe}`;
    if (!markets.has(key)) {
      const series = (TIMEFRAMES as readonly string[]).includes(stored.timeframe)
        ? await bars.read(stored.symbol, stored.timeframe as Timeframe).catch(() => null)
        : null;
      markets.set(
        key,
        series === null || series.t.length === 0
          ? null
          : { bars: series, market: marketRegime(series, stored.timeframe) },
      );
    }
    const cached = markets.get(key);
    if (!cached) {
      skip(`no cached ${stored.timeframe} bars of ${stored.symbol}`);
      continue;
    }
    // The stored indices count from the run's own first bar: the cache is searched by time instead. Runs
    // cut before windows began at a bar stored the nominal start of the window's first day, which may be
    // a holiday or a weekend: the window's first bar is the first at or after it, as the run found it.
    // The run's bars must then still fit between the window's times; the ledger names the bar it found.
    const { t } = cached.bars;
    const locate = (range: typeof stored.window.train): typeof range | null => {
      const start = firstIndexAtOrAfter(t, range.startTime);
      const end = start + (range.end - range.start);
      if (end > t.length || !(t[end - 1]! < range.endTime)) return null;
      return { ...range, start, end, startTime: t[start]! };
    };
    const train = locate(stored.window.train);
    const test = locate(stored.window.test);
    if (train === null || test === null) {
      const range = train === null ? stored.window.train : stored.window.test;
      skip(
        `the cached bars no longer hold the ${range.end - range.start} bars of its ${train === null ? 'train' : 'test'} window ` +
          `(${new Date(range.startTime).toISOString()} to ${new Date(range.endTime).toISOString()})`,
      );
      continue;
    }
    entries.push(
      ...windowLedgerEntries(
        {
          ...cached.market,
          runId: stored.runId,
          symbol: stored.symbol,
          timeframe: stored.timeframe,
          strategy: stored.strategy,
          // Runs stored before they kept their request: the session is not known (null in the ledger).
          session: stored.request?.data.session,
          bars: cached.bars,
        },
        { ...stored.window, train, test },
        now,
      ),
    );
  }
  added += await ledger.append(await withStanding(ledger, entries));
  await ledger.rememberSkipped(skipped, now);
  const learned = await new LedgerLearner(ledger).updateAll();
  return {
    studies: studies.length,
    trials,
    windows: entries.length / 2,
    added,
    learned: learned.reduce((sum, l) => sum + l.learner.count, 0),
    skipped: skipped.map((s) => `walk-forward run ${s.runId} window ${s.index}: ${s.reason}`),
  };
}
