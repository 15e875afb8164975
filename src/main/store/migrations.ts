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
];
