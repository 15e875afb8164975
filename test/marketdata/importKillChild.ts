// Child process of importKill.test.ts: imports a CSV file into a data folder's database and says "store"
// when DuckDB's load of the staged rows begins; the parent kills the process then. The parts are parsed
// in this thread (as the CLI does): the load, what the kill interrupts, is the app's.
import { importBarsFile } from '../../src/main/marketdata/importer.ts';
import { databasePath } from '../../src/main/paths.ts';
import { Database } from '../../src/main/store/database.ts';

const [dataDir, file] = process.argv.slice(2);
const db = await Database.open(databasePath(dataDir!));
await importBarsFile(db, file!, { onStage: (stage) => process.stdout.write(`${stage}\n`) });
process.stdout.write('stored\n');
db.close();
