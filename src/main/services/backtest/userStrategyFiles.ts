/**
 * The user's own strategies: every `strategies/*.ts` file in the data folder is compiled (esbuild,
 * which vite brings) in main, then run for the first time in a worker thread, which sends its
 * definition back as data (main never runs a user's code: a file whose top level never returns or
 * crashes costs that thread, within a time limit). A file that does not compile, exports no valid
 * definition, throws or hangs while loading or takes another's name is a problem reported with its file
 * and line; it is left out and nothing else is affected. A reload reads the folder again.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { z } from 'zod';
import { STRATEGIES } from '../../../core/strategy/index.ts';
import { startWorkers } from '../../compute/pool.ts';
import {
  useCheckedUserStrategies,
  type StrategyCheckTask,
  type UserStrategyCheck,
  type UserStrategySource,
} from '../../compute/userStrategies.ts';
import {
  userStrategyInfoSchema,
  userStrategyIssue,
  type StrategyProblem,
  type UserStrategyInfo,
} from '../../../shared/userStrategy.ts';

/** The folder inside the data folder that holds strategy files. */
export const STRATEGIES_FOLDER = 'strategies';

export interface UserStrategyLoad {
  /** The strategies registered, by name, with their files. */
  readonly loaded: readonly { readonly name: string; readonly file: string }[];
  readonly problems: readonly StrategyProblem[];
}

interface EsbuildMessage {
  readonly text: string;
  readonly location: { readonly line: number; readonly column: number } | null;
}

/** esbuild's failure carries its messages (with the file's line and column) in `errors`. */
function compileProblem(file: string, error: unknown): StrategyProblem {
  const first = (error as { errors?: EsbuildMessage[] }).errors?.[0];
  if (first === undefined)
    return { file, message: `does not compile: ${error instanceof Error ? error.message : String(error)}` };
  return {
    file,
    ...(first.location === null ? {} : { line: first.location.line, column: first.location.column + 1 }),
    message: `does not compile: ${first.text}`,
  };
}

async function compile(file: string, text: string): Promise<UserStrategySource | StrategyProblem> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return { file, message: 'cannot be compiled: esbuild is not installed with this build' };
  }
  try {
    const output = await esbuild.transform(text, {
      loader: 'ts',
      format: 'cjs',
      target: 'es2022',
      sourcefile: file,
      sourcemap: 'external',
      logLevel: 'silent',
    });
    const mappings = (JSON.parse(output.map) as { mappings: string }).mappings;
    const hash = createHash('sha256').update(text).digest('hex');
    return { file, code: output.code, mappings, hash };
  } catch (error) {
    return compileProblem(file, error);
  }
}

async function strategyFiles(folder: string): Promise<string[]> {
  try {
    const names = await readdir(folder);
    return names.filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** How long a file's top-level code may run in its worker before the file is called broken. */
export const STRATEGY_LOAD_TIMEOUT_MS = 10_000;

/** Checks at once at most this many files, each on its own thread. */
const CHECK_THREADS = 4;

/** A worker's answer is data from a thread that ran a user's code: checked like any input. */
const checkReplySchema = z.union([
  z.strictObject({ ok: z.literal(true), info: userStrategyInfoSchema }),
  z.strictObject({ ok: z.literal(false), message: z.string(), line: z.number().int().optional() }),
]);

/** Runs one compiled file on `workers`, stopping its thread `timeoutMs` after its code starts. */
async function checkInWorker(
  workers: Piscina,
  source: UserStrategySource,
  timeoutMs: number,
): Promise<UserStrategyCheck> {
  const { port1, port2 } = new MessageChannel();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The limit counts from the file's first line, not from the thread's start (seconds under load).
  port1.once('message', () => {
    timer = setTimeout(() => abort.abort(), timeoutMs);
  });
  const task: StrategyCheckTask = { kind: 'strategy-check', source, started: port2 };
  try {
    const reply = checkReplySchema.safeParse(
      await workers.run(task, { transferList: [port2], signal: abort.signal }),
    );
    return reply.success
      ? reply.data
      : { ok: false, message: `its definition does not check: ${userStrategyIssue(reply.error)}` };
  } catch (error) {
    if (abort.signal.aborted)
      return {
        ok: false,
        message: `did not finish loading within ${timeoutMs / 1000} s (does its top-level code loop forever?)`,
      };
    return {
      ok: false,
      message: `stopped its thread while loading: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    clearTimeout(timer);
    port1.close();
  }
}

/** Each file checked on its own thread of a pool that lives for this check only. */
async function checkAll(
  sources: readonly UserStrategySource[],
  timeoutMs: number,
): Promise<UserStrategyCheck[]> {
  if (sources.length === 0) return [];
  const workers = startWorkers({
    minThreads: 0,
    maxThreads: Math.min(sources.length, CHECK_THREADS),
    idleTimeout: 1_000,
  });
  try {
    return await Promise.all(sources.map((source) => checkInWorker(workers, source, timeoutMs)));
  } finally {
    await workers.destroy();
  }
}

/** A folder's strategy files that loaded, each with what its thread described, and those left out. */
export interface CheckedStrategyFolder {
  readonly checked: readonly { readonly source: UserStrategySource; readonly info: UserStrategyInfo }[];
  readonly problems: readonly StrategyProblem[];
}

/**
 * Compiles the folder's strategy files and runs each first in a worker thread within `timeoutMs`: the
 * good ones, and each bad one named with its file (`<folder's name>/<file>`), line and reason. Main's
 * catalogue and the reference bot's (`regimen bot --strategies DIR`) both start here.
 */
export async function checkStrategyFolder(
  folder: string,
  timeoutMs = STRATEGY_LOAD_TIMEOUT_MS,
): Promise<CheckedStrategyFolder> {
  const problems: StrategyProblem[] = [];
  const compiled: UserStrategySource[] = [];
  for (const name of await strategyFiles(folder)) {
    const file = `${basename(folder)}/${name}`;
    const result = await compile(file, await readFile(join(folder, name), 'utf8'));
    if ('code' in result) compiled.push(result);
    else problems.push(result);
  }
  const checks = await checkAll(compiled, timeoutMs);
  const checked: { source: UserStrategySource; info: UserStrategyInfo }[] = [];
  compiled.forEach((source, i) => {
    const check = checks[i]!;
    const file = source.file;
    if (!check.ok) {
      problems.push({
        file,
        ...(check.line === undefined ? {} : { line: check.line }),
        message: check.message,
      });
      return;
    }
    const { name } = check.info;
    const other = checked.find((entry) => entry.info.name === name);
    if (Object.hasOwn(STRATEGIES, name))
      problems.push({
        file,
        message: `strategy name ${JSON.stringify(name)} is a built-in strategy's: choose another name`,
      });
    else if (other !== undefined)
      problems.push({
        file,
        message: `strategy name ${JSON.stringify(name)} is already ${other.source.file}'s: this file is left out`,
      });
    else checked.push({ source, info: check.info });
  });
  problems.sort((a, b) => a.file.localeCompare(b.file));
  return { checked, problems };
}

/** Checks the data folder's strategy files, then makes the good ones main's user strategies. */
async function load(dataDir: string, timeoutMs: number): Promise<UserStrategyLoad> {
  const { checked, problems } = await checkStrategyFolder(join(dataDir, STRATEGIES_FOLDER), timeoutMs);
  useCheckedUserStrategies(checked);
  return { loaded: checked.map(({ source, info }) => ({ name: info.name, file: source.file })), problems };
}

/** What was last loaded, by data folder; a load in progress is waited for by the next one. */
const loads = new Map<string, Promise<UserStrategyLoad>>();

export interface UserStrategyLoadOptions {
  /** STRATEGY_LOAD_TIMEOUT_MS unless said. */
  readonly timeoutMs?: number;
}

/**
 * The data folder's strategies, loaded once per process (the CLI loads them before its command, the
 * services they open find them loaded).
 */
export function loadUserStrategies(
  dataDir: string,
  options: UserStrategyLoadOptions = {},
): Promise<UserStrategyLoad> {
  let loading = loads.get(dataDir);
  if (loading === undefined) {
    loading = load(dataDir, options.timeoutMs ?? STRATEGY_LOAD_TIMEOUT_MS);
    loads.set(dataDir, loading);
  }
  return loading;
}

/**
 * Reads the folder again (after the user edited, added or removed a file): the catalogue becomes what
 * the files hold now. Studies already running keep the version they started with (their tasks carry
 * it); the next backtest or study gets the new one.
 */
export function reloadUserStrategies(
  dataDir: string,
  options: UserStrategyLoadOptions = {},
): Promise<UserStrategyLoad> {
  const previous = loads.get(dataDir) ?? Promise.resolve(undefined);
  const loading = previous
    .catch(() => undefined)
    .then(() => load(dataDir, options.timeoutMs ?? STRATEGY_LOAD_TIMEOUT_MS));
  loads.set(dataDir, loading);
  return loading;
}
