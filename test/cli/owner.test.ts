/**
 * The CLI beside a running `regimen serve` on the same data folder (issue 8 item 4): commands that read or
 * write the cache go through the server (DuckDB lets one process open the folder) and answer exactly as
 * they do in-process, a live `data sync` included; a stale discovery file is ignored; a folder held by a
 * process that takes no requests is one plain sentence, not DuckDB's lock error.
 *
 * One folder and one server for the whole file (a server started from sources costs seconds, many more
 * on a loaded machine): the tests run in order, each in-process answer is taken before the server starts,
 * and the server is stopped last.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryPath, readDiscovery } from '../../src/main/server/discovery.ts';
import { captureIO } from '../support/captureIO.ts';
import { runCli, type CliRun } from '../support/runCli.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { readmeGridArgs } from '../support/readmeGrid.ts';
import { serve as startServe, type Server } from '../support/serveProcess.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const orcl = sharedDataFile('ORCL.csv');
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-owner-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const serve = (dataDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Server> =>
  startServe(dataDir, cleanups, extra, env);

/** A pid that is certainly not running: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe.skipIf(!goog.present)(`the CLI beside regimen serve${goog.skipReason}`, () => {
  const ALPACA = { APCA_API_KEY_ID: 'PKOWNERTEST0001', APCA_API_SECRET_KEY: 'owner-test-secret-01' };
  let fake: FakeAlpaca;
  let dataDir: string;
  let d: string[];
  let server: Server;
  const grid = readmeGridArgs(goog.path).map((arg) =>
    arg === '--csv' ? '--symbol' : arg === goog.path ? 'GOOG' : arg,
  );
  const cachedStudy = (): string[] => [...grid, '--timeframe', '1d', '--seed', '7', '--json', ...d];
  // --spread-bps and --fees replace parts of the equity default: a server using that default would differ.
  const flags = [
    ...['--slippage-bps', '5', '--spread-bps', '20', '--fees', 'none'],
    ...['--long-only', '--close-at-end', '--fill-at-close'],
  ];
  const trials = (stdout: string) =>
    (JSON.parse(stdout) as { trials: { number: number; values: unknown }[] }).trials.map((t) => [
      t.number,
      t.values,
    ]);
  /** The study with those flags, run in-process before the server started. */
  let flaggedHere: string;
  /** The study's answers before the server started, and its id. */
  let studyId: string;
  let approved: string;

  beforeAll(async () => {
    fake = await FakeAlpaca.start({ keyId: ALPACA.APCA_API_KEY_ID, secretKey: ALPACA.APCA_API_SECRET_KEY });
    cleanups.push(() => fake.close());
    dataDir = tempDir();
    d = ['--data-dir', dataDir];
    expect((await runCli(['data', 'import', goog.path, '--symbol', 'GOOG', ...d])).code).toBe(0);
    if (orcl.present)
      expect((await runCli(['data', 'import', orcl.path, '--symbol', 'ORCL', ...d])).code).toBe(0);
  }, 60_000);

  it('ignores a stale discovery file (dead pid, or a live pid whose server does not answer)', async () => {
    const expected = await runCli(['data', 'list', '--json', ...d]);
    const stale = { port: 9, token: 'not-a-real-token-0123456789', host: 'http', version: '0' };
    for (const pid of [await deadPid(), process.pid]) {
      writeFileSync(discoveryPath(dataDir), JSON.stringify({ ...stale, pid }), { mode: 0o600 });
      const listed = await runCli(['data', 'list', '--json', ...d]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toBe(expected.stdout);
      expect(listed.stderr).not.toContain(stale.token);
    }
    // The stale file (a live pid) stays: the server started next must replace it with its own.
  }, 60_000);

  it('answers through the server exactly as in-process', async () => {
    const studyHere = await runCli(cachedStudy());
    expect(studyHere.code, studyHere.stderr).toBe(0);
    studyId = (JSON.parse(studyHere.stdout) as { studyId: string }).studyId;
    const flagged = await runCli([...cachedStudy(), ...flags]);
    expect(flagged.code, flagged.stderr).toBe(0);
    flaggedHere = flagged.stdout;
    expect(trials(flaggedHere)).not.toEqual(trials(studyHere.stdout));
    // A study of two symbols (issue 15 item 10), before the listings: scored together, each symbol's figures kept.
    const twoSymbols = (): string[] => [
      ...grid.map((arg) => (arg === 'GOOG' ? 'GOOG,ORCL' : arg)),
      ...['--aggregate', 'weighted', '--weights', '0.7,0.3', '--timeframe', '1d', '--seed', '7', '--json'],
      ...d,
    ];
    const twoHere = orcl.present ? await runCli(twoSymbols()) : null;
    if (twoHere !== null) expect(twoHere.code, twoHere.stderr).toBe(0);
    const commands = [
      ['data', 'list', '--json'],
      ['backtest', '--symbol', 'GOOG', '--timeframe', '1d', '--strategy', 'sma-cross', '--json'],
      ['data', 'quality', '--symbol', 'GOOG', '--timeframe', '1d', '--json'],
      ['studies', '--json'],
      ['studies', studyId, '--json'],
      ['learner', 'status', '--json'],
    ];
    const inProcess = [];
    for (const command of commands) inProcess.push(await runCli([...command, ...d]));

    server = await serve(dataDir, ['--alpaca-base-url', fake.url], ALPACA);
    const file = readDiscovery(dataDir);
    expect(file).toMatchObject({ pid: server.child.pid, host: 'http', token: server.token });
    expect(statSync(discoveryPath(dataDir)).mode & 0o777).toBe(0o600);

    for (const [i, command] of commands.entries()) {
      const remote = await runCli([...command, ...d]);
      expect(remote.code, remote.stderr).toBe(0);
      expect(remote.stdout, command.join(' ')).toBe(inProcess[i]!.stdout);
      expect(remote.stdout + remote.stderr).not.toContain(server.token);
    }
    // A study on cached bars runs in the server and reports the same trials and winner.
    const studyThere = await runCli(cachedStudy());
    expect(studyThere.code, studyThere.stderr).toBe(0);
    expect(studyThere.stderr).toMatch(/running in the Regimen server \(pid \d+, port \d+\)/);
    const outcome = (stdout: string) => {
      const r = JSON.parse(stdout) as {
        state: string;
        best: { number: number; params: unknown };
        trials: { number: number; params: unknown; values: unknown }[];
        overfitting: unknown;
      };
      return {
        state: r.state,
        best: [r.best.number, r.best.params],
        overfitting: r.overfitting,
        trials: r.trials.map((t) => [t.number, t.params, t.values]),
      };
    };
    expect(outcome(studyThere.stdout)).toEqual(outcome(studyHere.stdout));
    if (twoHere !== null) {
      const twoThere = await runCli(twoSymbols());
      expect(twoThere.code, twoThere.stderr).toBe(0);
      expect(twoThere.stderr).toMatch(/running in the Regimen server/);
      const perSymbol = (stdout: string) =>
        (
          JSON.parse(stdout) as { trials: { number: number; metrics: Record<string, number | null> }[] }
        ).trials.map((t) => [t.number, t.metrics['sharpeRatio@GOOG'], t.metrics['sharpeRatio@ORCL']]);
      // The same trials, the same combined values and the same per-symbol figures as in-process.
      expect(outcome(twoThere.stdout)).toEqual(outcome(twoHere.stdout));
      expect(perSymbol(twoThere.stdout)).toEqual(perSymbol(twoHere.stdout));
      expect(
        perSymbol(twoHere.stdout)
          .flat()
          .every((v) => typeof v === 'number'),
      ).toBe(true);
    }

    // An approval written through the server is read back through it (and in-process after it stops).
    const approval = await runCli(['studies', studyId, '--approve', '--json', ...d]);
    expect(approval.code, approval.stderr).toBe(0);
    approved = approval.stdout;
    const best = (JSON.parse(inProcess[4]!.stdout) as { best: { params: Record<string, number> } }).best;
    expect((JSON.parse(approved) as { approved: { params: unknown } }).approved.params).toEqual(best.params);
  }, 120_000);

  it('sends a study’s slippage, cost settings, long-only, close-at-end and fill-at-close to the server', async () => {
    const there = await runCli([...cachedStudy(), ...flags]);
    expect(there.code, there.stderr).toBe(0);
    expect(there.stderr).toMatch(/running in the Regimen server/);
    expect(trials(there.stdout)).toEqual(trials(flaggedHere));
  }, 60_000);

  it('brings a long job’s progress over the WebSocket while `data fetch` runs in the server', async () => {
    const io = Object.assign(captureIO(), { interactive: true });
    const fetched = await runCli(
      ['data', 'fetch', '--symbols', 'AAPL', '--timeframe', '1Hour'].concat([
        '--start',
        '2024-01-02',
        '--end',
        '2024-03-01',
        ...d,
      ]),
      io,
    );
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toMatch(/^AAPL \S+: [\d,]+ bars in \d+ pages/);
    expect(io.stderr).toMatch(/\r.*100%/);
    expect(fetched.stdout + io.stderr).not.toContain(server.token);
  }, 60_000);

  it('syncs live bars through the server as in-process: the same lines and stored bars; Ctrl-C and --for stop it and close the stream', async () => {
    // The fake market ends before today: the catch-up has nothing to fetch, the published minutes are the bars.
    const t = fake.market.series('SYNX', '1Min').bars.t;
    const minutes = Array.from(t.subarray(t.length - 3));
    const since = new Date(Date.now() - 60_000).toISOString();
    const exportArgs = (dir: string) =>
      ['data', 'export', '--symbol', 'SYNX', '--format', 'csv', '--timeframe', '1m'].concat([
        '--out',
        join(dir, 'synx.csv'),
        '--data-dir',
        dir,
      ]);
    const syncAndInterrupt = async (dir: string, extra: string[] = []) => {
      const io = captureIO();
      const done = runCli(
        ['data', 'sync', '--symbols', 'SYNX', '--since', since, '--json', '--data-dir', dir, ...extra],
        io,
      );
      await expect.poll(() => fake.subscribers('SYNX'), { timeout: 30_000 }).toBe(1);
      for (const minute of minutes) expect(fake.publishBar('SYNX', minute)).toBe(true);
      await expect.poll(() => io.stdout.split('\n').filter(Boolean).length, { timeout: 30_000 }).toBe(3);
      process.emit('SIGINT');
      const run = await done;
      expect(run.code, run.stderr).toBe(0);
      // job:cancel answered once the job stopped; the fake server sees the socket close just after.
      await expect.poll(() => fake.subscribers('SYNX'), { timeout: 30_000 }).toBe(0);
      return run;
    };

    const here = tempDir();
    const savedEnv = { ...process.env };
    Object.assign(process.env, ALPACA);
    let inProcess: CliRun;
    try {
      inProcess = await syncAndInterrupt(here, ['--alpaca-base-url', fake.url]);
    } finally {
      process.env = savedEnv;
    }
    const throughServer = await syncAndInterrupt(dataDir);
    expect(throughServer.stdout).toBe(inProcess.stdout);
    expect(
      throughServer.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { t: number }).t),
    ).toEqual(minutes);
    expect(throughServer.stderr).toContain('stream: live');
    expect(throughServer.stdout + throughServer.stderr).not.toContain(server.token);
    expect(throughServer.stdout + throughServer.stderr).not.toContain(ALPACA.APCA_API_SECRET_KEY);

    const storedHere = await runCli(exportArgs(here));
    const storedThere = await runCli(exportArgs(dataDir));
    expect(storedThere.code, storedThere.stderr).toBe(0);
    expect(readFileSync(join(dataDir, 'synx.csv'), 'utf8')).toBe(
      readFileSync(join(here, 'synx.csv'), 'utf8'),
    );
    expect(storedHere.code, storedHere.stderr).toBe(0);

    const timed = await runCli(['data', 'sync', '--symbols', 'SYNX', '--since', since, '--for', '5', ...d]);
    expect(timed.code, timed.stderr).toBe(0);
    expect(timed.stderr).toContain('stream: live');
    await expect.poll(() => fake.subscribers('SYNX'), { timeout: 30_000 }).toBe(0);
  }, 120_000);

  it('says in one sentence that the folder is held when its holder takes no requests', async () => {
    // As an older Regimen without discovery would look: the folder is locked and nobody answers.
    const aside = `${discoveryPath(dataDir)}.aside`;
    renameSync(discoveryPath(dataDir), aside);
    try {
      const listed = await runCli(['data', 'list', ...d]);
      expect(listed.code).toBe(1);
      expect(listed.stderr).toBe(
        `regimen data list: the data folder ${dataDir} is in use by another process (pid ${server.child.pid}) that takes no requests: wait for it to finish or stop it, then try again\n`,
      );
    } finally {
      renameSync(aside, discoveryPath(dataDir));
    }
  }, 60_000);

  it('leaves no discovery file behind when it stops, and what it wrote is read in-process after', async () => {
    await server.stop();
    expect(readDiscovery(dataDir)).toBeNull();
    const after = await runCli(['studies', studyId, '--json', ...d]);
    expect(after.code, after.stderr).toBe(0);
    expect((JSON.parse(after.stdout) as { approved: unknown }).approved).toEqual(
      (JSON.parse(approved) as { approved: unknown }).approved,
    );
  }, 60_000);
});
