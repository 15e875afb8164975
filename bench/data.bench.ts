/**
 * Data engine figures (issue 3): import rate of CSV and Parquet into the cache, fetch parse+store rate
 * from the fake Alpaca when the server is not the limit, requests per minute at a configured rate limit,
 * and the read-back time of two years of 1-minute bars. Run: `npx tsx bench/data.bench.ts`.
 *
 * The machine is shared, so rates are medians of several runs (best in the note), and the speed limits
 * are measured in the same run: DuckDB's own bulk INSERT of the same rows into an unindexed table, and
 * into the PRIMARY KEY table `bars` was before migration 4.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseBarsCsv } from '../src/core/data/csv/read.ts';
import { formatBarsCsv } from '../src/core/data/csv/write.ts';
import { AlpacaBarsClient } from '../src/main/marketdata/alpacaClient.ts';
import { AlpacaCredentials } from '../src/main/marketdata/credentials.ts';
import { exportBars } from '../src/main/marketdata/exporter.ts';
import { HistoricalFetcher } from '../src/main/marketdata/fetcher.ts';
import { importBarsFile, readTextFile } from '../src/main/marketdata/importer.ts';
import { BarsRepository } from '../src/main/store/barsRepository.ts';
import { Database } from '../src/main/store/database.ts';
import { MIGRATIONS } from '../src/main/store/migrations.ts';
import { FakeAlpaca } from '../test/fake-alpaca/server.ts';

export interface DataBenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly note?: string;
}

const TWO_YEARS = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2025, 0, 1) };

function best(values: number[]): number {
  return Math.min(...values);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const RUNS = 5;

/** Runs `work` RUNS times and gives its median and best time in ms. */
async function timed(work: (run: number) => Promise<void>): Promise<{ median: number; best: number }> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await work(run);
    times.push(performance.now() - started);
  }
  return { median: median(times), best: best(times) };
}

export async function runDataBench(log: (line: string) => void = console.log): Promise<DataBenchFigure[]> {
  const figures: DataBenchFigure[] = [];
  const report = (figure: DataBenchFigure): void => {
    figures.push(figure);
    const value =
      figure.value >= 1000 ? Math.round(figure.value).toLocaleString('en-US') : figure.value.toFixed(2);
    log(
      `${figure.name.padEnd(52)} ${value.padStart(12)} ${figure.unit}${figure.target ? `   (target ${figure.target})` : ''}${figure.note ? `   ${figure.note}` : ''}`,
    );
  };
  const dir = mkdtempSync(join(tmpdir(), 'regimen-data-bench-'));
  const fake = await FakeAlpaca.start();
  try {
    const credentials = new AlpacaCredentials(fake.keyId, fake.secretKey, 'explicit');
    const series = fake.market.series('SYNX', '1Min');
    const n = series.bars.t.length;

    // A 2-year 1m file of one symbol, as CSV and as Parquet.
    const csvPath = join(dir, 'SYNX.csv');
    writeFileSync(csvPath, formatBarsCsv(series.bars));
    const seedDb = await Database.open(join(dir, 'seed.duckdb'));
    await new BarsRepository(seedDb).write('SYNX', '1m', series.bars, 'bench');
    const parquetPath = join(dir, 'SYNX.parquet');
    await exportBars(seedDb, { symbol: 'SYNX', timeframe: '1m', format: 'parquet', out: parquetPath });
    const rate = (ms: number): number => n / (ms / 1000);
    const bestNote = (time: { best: number }): string =>
      `best ${Math.round(rate(time.best)).toLocaleString('en-US')}`;

    // Speed limits, measured in this run on the same rows: DuckDB's own bulk INSERT ... SELECT from a
    // temporary table (rows already in DuckDB, so no JS at all) into a fresh file database, committed,
    // into a table without an index, and into the PRIMARY KEY table `bars` had before migration 4.
    for (const [label, ddl] of [
      ['raw DuckDB bulk INSERT, unindexed table', MIGRATIONS[3]!.statements[0]!.replace('bars_v4', 'target')],
      [
        'raw DuckDB bulk INSERT, PRIMARY KEY table (before)',
        MIGRATIONS[0]!.statements[0]!.replace('TABLE bars', 'TABLE target'),
      ],
    ] as const) {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const db = await Database.open(join(dir, `raw-${label.length}-${run}.duckdb`));
        await db.run(ddl);
        await new BarsRepository(db).write('SYNX', '1m', series.bars, 'bench', {
          vwap: series.vwap,
          tradeCount: series.tradeCount,
        });
        await db.run('CREATE TEMP TABLE source_rows AS SELECT * FROM bars');
        const started = performance.now();
        await db.transaction(() => db.run('INSERT INTO target SELECT * FROM source_rows'));
        times.push(performance.now() - started);
        db.close();
      }
      report({
        name: `${label} (${n.toLocaleString('en-US')} rows)`,
        value: rate(median(times)),
        unit: 'bars/s',
        note: `speed limit for comparison; best ${Math.round(rate(best(times))).toLocaleString('en-US')}`,
      });
    }

    // Store only: BarsRepository.write of new keys (an import, a fetch) and of the same keys again (a
    // re-import: every stored row is replaced).
    for (const [label, again] of [
      ['store only (BarsRepository.write, new keys)', false],
      ['store only (BarsRepository.write, replacing every key)', true],
    ] as const) {
      const extras = { vwap: series.vwap, tradeCount: series.tradeCount };
      const dbs: Database[] = [];
      for (let run = 0; run < RUNS; run++) {
        const db = await Database.open(join(dir, `write-${again}-${run}.duckdb`));
        if (again) await new BarsRepository(db).write('SYNX', '1m', series.bars, 'bench', extras);
        dbs.push(db);
      }
      const time = await timed((run) =>
        new BarsRepository(dbs[run]!).write('SYNX', '1m', series.bars, 'bench', extras),
      );
      for (const db of dbs) db.close();
      report({
        name: label,
        value: rate(time.median),
        unit: 'bars/s',
        note: `upper bound of any import; ${bestNote(time)}`,
      });
    }

    // Import: a 2-year 1m file of one symbol, CSV and Parquet, into a fresh file database each run.
    {
      const time = await timed(async () => {
        parseBarsCsv(await readTextFile(csvPath), { source: 'SYNX.csv' });
      });
      report({
        name: 'CSV read + parse only (core parseBarsCsv, no store)',
        value: rate(time.median),
        unit: 'bars/s',
        note: `${time.median.toFixed(0)} ms of the CSV import; ${bestNote(time)}`,
      });
    }
    for (const [label, path] of [
      ['CSV', csvPath],
      ['Parquet', parquetPath],
    ] as const) {
      const dbs: Database[] = [];
      for (let run = 0; run < RUNS; run++)
        dbs.push(await Database.open(join(dir, `import-${label}-${run}.duckdb`)));
      const time = await timed(async (run) => {
        await importBarsFile(dbs[run]!, path, { symbol: 'SYNX' });
      });
      for (const db of dbs) db.close();
      report({
        name: `import ${label} (${n.toLocaleString('en-US')} 1m bars, parse+validate+store)`,
        value: rate(time.median),
        unit: 'bars/s',
        target: '>= 1,000,000',
        note: bestNote(time),
      });
    }

    // Fetch: warm the fake's page cache, then time a fresh fetch of 2 symbols x 1 year of 1m bars.
    const fetchRange = {
      symbols: ['ALFA', 'BRVO'],
      timeframe: '1Min' as const,
      start: TWO_YEARS.start,
      end: Date.UTC(2024, 0, 1),
    };
    const makeClient = (): AlpacaBarsClient =>
      new AlpacaBarsClient({ credentials, baseUrl: fake.url, requestsPerMinute: 1_000_000, maxInFlight: 4 });
    {
      const warm = await Database.open(':memory:');
      await new HistoricalFetcher(warm, makeClient()).fetch(fetchRange);
      warm.close();
      const db = await Database.open(join(dir, 'fetch.duckdb'));
      const summary = await new HistoricalFetcher(db, makeClient()).fetch(fetchRange);
      report({
        name: `fetch from fake, end to end (${summary.bars.toLocaleString('en-US')} bars, ${summary.pages} pages)`,
        value: summary.bars / (summary.elapsedMs / 1000),
        unit: 'bars/s',
        target: '>= 500,000 parse+store',
        note: 'fake server in the same process',
      });
      // Reads from a cache filled by fetch pages (two symbols' pages interleaved in storage order).
      const readTimes: number[] = [];
      let rows = 0;
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        rows = (await new BarsRepository(db).read('ALFA', '1m')).t.length;
        readTimes.push(performance.now() - started);
      }
      report({
        name: `read 1 year of ALFA as 1m from the fetched cache (${rows.toLocaleString('en-US')} bars)`,
        value: median(readTimes),
        unit: 'ms',
        note: 'pages of two symbols interleaved',
      });
      db.close();
      // Parse + store alone: the client-side work per page, timed without the network.
      const url = `${fake.url}/v2/stocks/bars?symbols=ALFA&timeframe=1Min&start=2023-01-01T00:00:00Z&end=2024-01-01T00:00:00Z&limit=10000`;
      const text = await (
        await fetch(url, {
          headers: { 'APCA-API-KEY-ID': fake.keyId, 'APCA-API-SECRET-KEY': fake.secretKey },
        })
      ).text();
      const { parseBarsPage } = await import('../src/main/marketdata/alpacaClient.ts');
      const store = await Database.open(join(dir, 'parse-store.duckdb'));
      const repo = new BarsRepository(store);
      const times: number[] = [];
      for (let run = 0; run < 8; run++) {
        const started = performance.now();
        const page = parseBarsPage(JSON.parse(text));
        const entries = [...page.symbols].map(([symbol, data]) => ({
          symbol: `${symbol}${run}`,
          bars: data.bars,
          extras: { vwap: data.vwap, tradeCount: data.tradeCount },
        }));
        await repo.writeBatch('1m', 'bench', entries);
        times.push(performance.now() - started);
      }
      report({
        name: 'fetch parse+store per 10,000-bar page (JSON, validate, commit)',
        value: 10_000 / (median(times) / 1000),
        unit: 'bars/s',
        target: '>= 500,000',
        note: `median of ${times.length}; best ${Math.round(10_000 / (best(times) / 1000)).toLocaleString('en-US')}`,
      });
      store.close();
    }

    // Rate limit: 600/min for 10 s against a server that enforces 600/min itself (429 on excess).
    {
      const limit = 600;
      const seconds = 10;
      fake.rateLimitPerMinute = limit;
      fake.requests.length = 0;
      const client = new AlpacaBarsClient({
        credentials,
        baseUrl: fake.url,
        requestsPerMinute: limit,
        maxInFlight: 4,
      });
      const stopAt = performance.now() + seconds * 1000;
      let ok = 0;
      let failed = 0;
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; performance.now() < stopAt; i++) {
          try {
            await client.getBarsPage({
              symbols: [`R${w}`],
              timeframe: '1Day',
              start: TWO_YEARS.start + i * 86_400_000,
              end: TWO_YEARS.start + (i + 1) * 86_400_000,
              adjustment: 'raw',
              feed: 'iex',
            });
            ok++;
          } catch {
            failed++;
          }
        }
      };
      const started = performance.now();
      await Promise.all([0, 1, 2, 3].map(worker));
      const elapsedMin = (performance.now() - started) / 60_000;
      const served = fake.requests.filter((r) => r.status === 200).length;
      const perMinute = served / elapsedMin;
      report({
        name: `requests/min at a ${limit}/min limit (${seconds} s run)`,
        value: perMinute,
        unit: 'req/min',
        target: `within 2% of ${limit}`,
        note: `ratio ${(perMinute / limit).toFixed(3)}, peak in flight ${client.limiter.peakInFlight}`,
      });
      report({
        name: '429s from the server / requests that failed',
        value: fake.requests.filter((r) => r.status === 429).length,
        unit: `429s, ${failed} failed, ${ok} ok`,
      });
      fake.rateLimitPerMinute = undefined;
    }

    // Read-back: 2 years of 1m bars of one symbol as typed arrays, and resampled to 5m.
    {
      const repo = new BarsRepository(seedDb);
      for (const tf of ['1m', '5m', '1d'] as const) {
        const times: number[] = [];
        let rows = 0;
        for (let run = 0; run < RUNS; run++) {
          const started = performance.now();
          rows = (await repo.read('SYNX', tf)).t.length;
          times.push(performance.now() - started);
        }
        report({
          name: `read 2 years of SYNX as ${tf} typed arrays (${rows.toLocaleString('en-US')} bars)`,
          value: median(times),
          unit: 'ms',
          note: `best ${best(times).toFixed(2)} ms`,
          ...(tf === '1m' ? { target: '< 100 ms' } : {}),
        });
      }
    }
    seedDb.close();
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDataBench();
}
