import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { FakeAlpaca } from '../fake-alpaca/server.ts';

/**
 * A fake Alpaca server for a test file that runs the CLI in this process: its keys are in the
 * environment (and no Alpaca host variable, so each run names the fake with --alpaca-base-url), and data
 * folders are throwaway. The server, the environment and the folders are undone after the file.
 */
export function fakeAlpacaForCli(prefix: string): { readonly fake: FakeAlpaca; dataDir(): string } {
  const dirs: string[] = [];
  const savedEnv = { ...process.env };
  let fake: FakeAlpaca | null = null;
  beforeAll(async () => {
    fake = await FakeAlpaca.start();
    process.env['APCA_API_KEY_ID'] = fake.keyId;
    process.env['APCA_API_SECRET_KEY'] = fake.secretKey;
    delete process.env['ALPACA_DATA_BASE_URL'];
    delete process.env['ALPACA_STREAM_BASE_URL'];
  });
  afterAll(async () => {
    process.env = savedEnv;
    await fake?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get fake(): FakeAlpaca {
      if (fake === null) throw new Error('the fake Alpaca server starts in beforeAll');
      return fake;
    },
    dataDir() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
