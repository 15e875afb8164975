// Child process of export.test.ts: exports the same bars to one file over and over until killed.
import { exportBars } from '../../src/main/marketdata/exporter.ts';
import { Database } from '../../src/main/store/database.ts';

const [dbPath, out] = process.argv.slice(2);
const db = await Database.open(dbPath!);
process.stdout.write('ready\n');
for (;;) await exportBars(db, { symbol: 'KILL', timeframe: '1m', format: 'csv', out: out!, overwrite: true });
