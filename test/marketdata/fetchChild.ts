// Child process of kill.test.ts: fetches into a file database until the parent kills it.
import { AlpacaBarsClient } from '../../src/main/marketdata/alpacaClient.ts';
import { AlpacaCredentials } from '../../src/main/marketdata/credentials.ts';
import { HistoricalFetcher } from '../../src/main/marketdata/fetcher.ts';
import { Database } from '../../src/main/store/database.ts';

const [dbPath, baseUrl, symbols, start, end] = process.argv.slice(2);
const keyId = process.env['APCA_API_KEY_ID'] ?? '';
const secretKey = process.env['APCA_API_SECRET_KEY'] ?? '';
const db = await Database.open(dbPath!);
const client = new AlpacaBarsClient({
  credentials: new AlpacaCredentials(keyId, secretKey, 'environment'),
  baseUrl: baseUrl!,
  requestsPerMinute: 60_000,
  maxInFlight: 2,
  pageLimit: 2_000,
});
await new HistoricalFetcher(db, client).fetch({
  symbols: symbols!.split(','),
  timeframe: '1Min',
  start: Number(start),
  end: Number(end),
  onProgress: (p) => process.stdout.write(`${p.bars}\n`),
});
db.close();
process.stdout.write('done\n');
