import { WalkForwardRequest, WalkForwardWindowRow } from '../../shared/optimizeContract.ts';
import { parseOrThrow } from '../../shared/validation.ts';
import type { Database } from './database.ts';

/** What a run's windows were computed on: the learner groups and filters windows by these. */
export interface WalkForwardRunInfo {
  readonly runId: string;
  readonly jobId: string;
  /** Content fingerprint of the bars (equal ids, equal bars). */
  readonly datasetId: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly strategy: string;
  readonly strategyVersion: string;
  readonly seed: number;
  /**
   * The request the run was made from (absent: a run on a file, or stored before runs kept it): what a
   * compare pin of the run by its id alone replays.
   */
  readonly request?: WalkForwardRequest;
}

export interface StoredWalkForwardWindow extends WalkForwardRunInfo {
  readonly window: WalkForwardWindowRow;
  readonly finishedAt: number;
}

interface RawWindow {
  run_id: string;
  job_id: string;
  window_index: number;
  dataset_id: string;
  symbol: string;
  timeframe: string;
  strategy: string;
  strategy_version: string;
  seed: number | bigint;
  train: string;
  test: string;
  params: string;
  in_sample: string;
  out_of_sample: string;
  finished_at: number | bigint;
  request: string | null;
}

/**
 * Walk-forward windows in DuckDB, one row per finished window, written as each window finishes (a run
 * cancelled or killed half-way keeps the windows it finished). Metric values are stored as the contract
 * answers them (null where not finite), so a window reads back equal to what the run returned.
 */
export class WalkForwardRepository {
  constructor(private readonly db: Database) {}

  async saveWindow(run: WalkForwardRunInfo, window: WalkForwardWindowRow, finishedAt: number): Promise<void> {
    await this.db.run(
      `INSERT INTO walkforward_windows (run_id, job_id, window_index, dataset_id, symbol, timeframe, strategy,
         strategy_version, seed, train, test, params, in_sample, out_of_sample, finished_at, request)
       VALUES ($runId, $jobId, $index, $datasetId, $symbol, $timeframe, $strategy, $strategyVersion, $seed,
         $train, $test, $params, $inSample, $outOfSample, $finishedAt, $request)`,
      {
        runId: run.runId,
        jobId: run.jobId,
        index: window.index,
        datasetId: run.datasetId,
        symbol: run.symbol,
        timeframe: run.timeframe,
        strategy: run.strategy,
        strategyVersion: run.strategyVersion,
        seed: run.seed,
        train: JSON.stringify(window.train),
        test: JSON.stringify(window.test),
        params: JSON.stringify(window.params),
        inSample: JSON.stringify(window.inSample),
        outOfSample: JSON.stringify(window.outOfSample),
        finishedAt,
        request: run.request === undefined ? null : JSON.stringify(run.request),
      },
    );
  }

  /** Every stored window of the runs a job id named, oldest run first, windows in order. */
  async windowsOfJob(jobId: string): Promise<StoredWalkForwardWindow[]> {
    return this.read('WHERE job_id = $jobId', { jobId });
  }

  /** Every stored window of one run, in order. */
  async windowsOfRun(runId: string): Promise<StoredWalkForwardWindow[]> {
    return this.read('WHERE run_id = $runId', { runId });
  }

  /** Every stored window, run by run (the learner's backfill). */
  async allWindows(): Promise<StoredWalkForwardWindow[]> {
    return this.read('', {});
  }

  private async read(where: string, params: Record<string, string>): Promise<StoredWalkForwardWindow[]> {
    const rows = await this.db.all<RawWindow>(
      `SELECT run_id, job_id, window_index, dataset_id, symbol, timeframe, strategy, strategy_version, seed,
         train::VARCHAR AS train, test::VARCHAR AS test, params::VARCHAR AS params,
         in_sample::VARCHAR AS in_sample, out_of_sample::VARCHAR AS out_of_sample, finished_at,
         request::VARCHAR AS request
       FROM walkforward_windows ${where}
       ORDER BY min(finished_at) OVER (PARTITION BY run_id), run_id, window_index`,
      params,
    );
    return rows.map((row) => toStored(row));
  }
}

function toStored(row: RawWindow): StoredWalkForwardWindow {
  const window = {
    index: row.window_index,
    train: JSON.parse(row.train) as unknown,
    test: JSON.parse(row.test) as unknown,
    params: JSON.parse(row.params) as unknown,
    inSample: JSON.parse(row.in_sample) as unknown,
    outOfSample: JSON.parse(row.out_of_sample) as unknown,
  };
  return {
    runId: row.run_id,
    jobId: row.job_id,
    datasetId: row.dataset_id,
    symbol: row.symbol,
    timeframe: row.timeframe,
    strategy: row.strategy,
    strategyVersion: row.strategy_version,
    seed: Number(row.seed),
    finishedAt: Number(row.finished_at),
    ...(row.request === null
      ? {}
      : {
          request: parseOrThrow(
            WalkForwardRequest,
            JSON.parse(row.request) as unknown,
            `walk-forward run ${row.run_id}'s request`,
          ),
        }),
    // A row some other writer got wrong fails here, naming the run, the window and the field.
    window: parseOrThrow(
      WalkForwardWindowRow,
      window,
      `walk-forward run ${row.run_id} window ${row.window_index}`,
    ),
  };
}
