/**
 * Schema migrations, applied in order and recorded in schema_migrations. Never edit a released
 * migration: add a new one, so existing user databases upgrade in place.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'bars: one row per (symbol, timeframe, bar start)',
    statements: [
      `CREATE TABLE bars (
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        ts BIGINT NOT NULL, -- bar start, epoch ms UTC
        open DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        close DOUBLE NOT NULL,
        volume DOUBLE NOT NULL,
        vwap DOUBLE,
        trade_count BIGINT,
        PRIMARY KEY (symbol, timeframe, ts)
      )`,
      `CREATE TABLE datasets (
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        source VARCHAR NOT NULL, -- 'demo', 'alpaca', 'import:<file name>'
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (symbol, timeframe)
      )`,
    ],
  },
  {
    version: 2,
    description:
      'market data: fetched ranges per symbol/timeframe/adjustment/feed, and gaps marked by repair',
    statements: [
      `CREATE TABLE bar_coverage (
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        adjustment VARCHAR NOT NULL, -- raw, split, dividend, all
        feed VARCHAR NOT NULL, -- iex, sip
        start_ms BIGINT NOT NULL, -- inclusive, epoch ms UTC
        end_ms BIGINT NOT NULL, -- exclusive
        fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (symbol, timeframe, adjustment, feed, start_ms)
      )`,
      `CREATE TABLE bar_gaps (
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        start_ms BIGINT NOT NULL, -- first missing bar start
        end_ms BIGINT NOT NULL, -- exclusive
        missing_bars INTEGER NOT NULL,
        reason VARCHAR NOT NULL,
        marked_at TIMESTAMP NOT NULL,
        PRIMARY KEY (symbol, timeframe, start_ms)
      )`,
    ],
  },
  {
    version: 3,
    description: 'optimisation studies and their trials (resumable: the trials are the whole state)',
    statements: [
      `CREATE TABLE studies (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        strategy VARCHAR NOT NULL,
        data JSON NOT NULL, -- what the trials run on: symbol/file, timeframe(s), range, costs
        config JSON NOT NULL, -- core StudyConfig: space, sampler, objectives, seed, minimum trades
        created_at TIMESTAMP NOT NULL,
        approved_params JSON, -- the parameter set the trader approved for the live bot
        approved_at TIMESTAMP
      )`,
      `CREATE TABLE trials (
        study_id VARCHAR NOT NULL,
        number INTEGER NOT NULL,
        status VARCHAR NOT NULL,
        params JSON NOT NULL,
        objective_values JSON,
        metrics JSON,
        feasible BOOLEAN,
        error VARCHAR,
        seed BIGINT NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        PRIMARY KEY (study_id, number)
      )`,
    ],
  },
  {
    version: 4,
    description: 'bars without the PRIMARY KEY index: the write path keeps one row per key',
    // Maintaining the ART index of the key was most of the cost of every bulk write (and of its commit),
    // and reads never used it: they scan a symbol's range, which the zone maps of rows stored in
    // (symbol, timeframe, ts) order prune as well. Same columns in the same order, so the appender and
    // every query see the same table.
    statements: [
      `CREATE TABLE bars_v4 (
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        ts BIGINT NOT NULL, -- bar start, epoch ms UTC; unique per (symbol, timeframe): see BarsRepository
        open DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        low DOUBLE NOT NULL,
        close DOUBLE NOT NULL,
        volume DOUBLE NOT NULL,
        vwap DOUBLE,
        trade_count BIGINT
      )`,
      'INSERT INTO bars_v4 SELECT * FROM bars ORDER BY symbol, timeframe, ts',
      'DROP TABLE bars',
      'ALTER TABLE bars_v4 RENAME TO bars',
    ],
  },
  {
    version: 5,
    description: "studies: the row keeps the study's counts and best so far, so listing reads no trial",
    statements: ['ALTER TABLE studies ADD COLUMN IF NOT EXISTS progress JSON'],
  },
  {
    version: 6,
    description: 'walk-forward windows and their out-of-sample results (the learner trains on them)',
    statements: [
      `CREATE TABLE IF NOT EXISTS walkforward_windows (
        run_id VARCHAR NOT NULL, -- one walk-forward run (a job id can be reused by a client, this cannot)
        job_id VARCHAR NOT NULL,
        window_index INTEGER NOT NULL,
        dataset_id VARCHAR NOT NULL, -- content fingerprint of the bars the run read
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        strategy VARCHAR NOT NULL,
        strategy_version VARCHAR NOT NULL,
        seed BIGINT NOT NULL, -- the run's seed; each train window's study seed derives from it and the index
        train JSON NOT NULL, -- bar range: start, end (indices), startTime, endTime (epoch ms)
        test JSON NOT NULL,
        params JSON NOT NULL, -- the parameters the train window chose
        in_sample JSON NOT NULL, -- metric name -> value (null where not finite)
        out_of_sample JSON NOT NULL,
        finished_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, window_index)
      )`,
    ],
  },
  {
    version: 7,
    description: "the learner's results ledger and its versioned state",
    statements: [
      'CREATE SEQUENCE IF NOT EXISTS learner_ledger_seq START 1',
      `CREATE TABLE IF NOT EXISTS learner_ledger (
        seq BIGINT PRIMARY KEY DEFAULT nextval('learner_ledger_seq'), -- arrival order: the learner's cursor
        kind VARCHAR NOT NULL, -- 'trial', 'window-train', 'window-test'
        source_id VARCHAR NOT NULL, -- study id or walk-forward run id
        item INTEGER NOT NULL, -- trial number or window index
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        strategy VARCHAR NOT NULL,
        start_ms BIGINT, -- the range the outcome was measured over (null: a study's whole range)
        end_ms BIGINT,
        params JSON NOT NULL,
        features JSON NOT NULL, -- name -> number, read before the measured range (core/ml/features.ts)
        outcomes JSON NOT NULL, -- metric name -> value (null where not finite)
        score DOUBLE, -- the learner's target; null when the row teaches it nothing
        regime VARCHAR, -- the regime the range started in, the learner's stratum
        recorded_at BIGINT NOT NULL,
        UNIQUE (kind, source_id, item) -- a backfill or a repeated hook adds nothing twice
      )`,
      `CREATE TABLE IF NOT EXISTS learner_state (
        learner VARCHAR NOT NULL, -- one learner per strategy (its parameters are its features)
        version INTEGER NOT NULL, -- 1, 2, ... one per save; the last few are kept
        ledger_seq BIGINT NOT NULL, -- every ledger row up to this one has been learned
        learned INTEGER NOT NULL,
        state JSON NOT NULL,
        saved_at BIGINT NOT NULL,
        PRIMARY KEY (learner, version)
      )`,
    ],
  },
  {
    version: 8,
    description:
      "datasets: the symbol's market calendar (equities, fx, crypto); NULL until chosen or inferred",
    // Existing rows stay NULL: readers infer the calendar from the stored timestamps (BarsRepository.calendarOf).
    statements: ['ALTER TABLE datasets ADD COLUMN IF NOT EXISTS calendar VARCHAR'],
  },
  {
    version: 9,
    description: "regime labels per symbol, timeframe and detector, keyed on the bars' content fingerprint",
    statements: [
      `CREATE TABLE IF NOT EXISTS regime_labels (
        symbol VARCHAR NOT NULL,
        timeframe VARCHAR NOT NULL,
        detector VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL, -- fingerprint of the bars labelled: other bars mean a recomputation
        warmup INTEGER NOT NULL,
        labels JSON NOT NULL, -- axis -> label code per bar (-1 during warm-up), in bar order
        computed_at BIGINT NOT NULL,
        PRIMARY KEY (symbol, timeframe, detector)
      )`,
    ],
  },
  {
    version: 10,
    description: "studies: the trader's note beside the name (both editable after the study ran)",
    // Nullable: rows from before it existed read as no note ('').
    statements: ['ALTER TABLE studies ADD COLUMN IF NOT EXISTS note VARCHAR'],
  },
  {
    version: 11,
    description: 'learner: walk-forward windows the ledger backfill could not record, and why',
    // Without it a window the backfill can never record (a run on a file) looked missing at every start.
    statements: [
      `CREATE TABLE IF NOT EXISTS learner_backfill_skips (
        run_id VARCHAR NOT NULL,
        window_index INTEGER NOT NULL,
        reason VARCHAR NOT NULL,
        skipped_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, window_index)
      )`,
    ],
  },
  {
    version: 12,
    description: 'the compare set: pinned backtests and trials, by what they are (re-run to compare)',
    statements: [
      `CREATE TABLE IF NOT EXISTS compare_pins (
        id VARCHAR PRIMARY KEY,
        label VARCHAR NOT NULL,
        source JSON NOT NULL, -- a backtest request, or a study id and trial number
        source_key VARCHAR NOT NULL UNIQUE, -- the source as canonical JSON: the same thing is pinned once
        pinned_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    version: 13,
    description: 'walk-forward windows: the request their run was made from (a compare pin by run id)',
    // Nullable: runs from before it, and runs on a file, have none.
    statements: ['ALTER TABLE walkforward_windows ADD COLUMN IF NOT EXISTS request JSON'],
  },
  {
    version: 14,
    description: "learner ledger: the session (regular|extended) an intraday row's bars kept to",
    // Nullable: rows from before it read as unknown (and day bars, files have none); no row is rewritten.
    statements: ['ALTER TABLE learner_ledger ADD COLUMN IF NOT EXISTS session VARCHAR'],
  },
];
