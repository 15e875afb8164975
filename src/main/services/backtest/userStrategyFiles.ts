/**
 * The user's own strategies: every `strategies/*.ts` file in the data folder is compiled (esbuild,
 * which vite brings), checked and registered at start, in this process and (through the pool's
 * workerData) in every worker it starts. A file that does not compile, exports no valid definition,
 * throws while loading or takes a built-in's name is a problem reported with its file and line; it
 * is left out and nothing else is affected.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  installUserStrategy,
  UserStrategyError,
  type UserStrategySource,
} from '../../compute/userStrategies.ts';
import type { StrategyProblem } from '../../../shared/userStrategy.ts';

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
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
    return { file, code: output.code, mappings, hash };
  } catch (error) {
    return compileProblem(file, error);
  }
}

async function strategyFiles(dataDir: string): Promise<string[]> {
  try {
    const names = await readdir(join(dataDir, STRATEGIES_FOLDER));
    return names.filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Compiles, checks and registers the folder's strategy files, collecting what went wrong with each. */
async function load(dataDir: string): Promise<UserStrategyLoad> {
  const loaded: { name: string; file: string }[] = [];
  const problems: StrategyProblem[] = [];
  for (const name of await strategyFiles(dataDir)) {
    const file = `${STRATEGIES_FOLDER}/${name}`;
    const compiled = await compile(file, await readFile(join(dataDir, STRATEGIES_FOLDER, name), 'utf8'));
    if (!('code' in compiled)) {
      problems.push(compiled);
      continue;
    }
    try {
      const taken = new Map(loaded.map((entry) => [entry.name, entry.file]));
      loaded.push({ name: installUserStrategy(compiled, taken).name, file });
    } catch (error) {
      if (!(error instanceof UserStrategyError)) throw error;
      problems.push({
        file,
        ...(error.line === undefined ? {} : { line: error.line }),
        message: error.message,
      });
    }
  }
  return { loaded, problems };
}

const loads = new Map<string, Promise<UserStrategyLoad>>();

/**
 * The data folder's strategies, loaded once per process (the CLI loads them before its command, the
 * services they open find them loaded).
 */
export function loadUserStrategies(dataDir: string): Promise<UserStrategyLoad> {
  let loading = loads.get(dataDir);
  if (loading === undefined) {
    loading = load(dataDir);
    loads.set(dataDir, loading);
  }
  return loading;
}
