/**
 * User strategies as the threads that run them see them: a file already compiled by main (see
 * services/backtest/userStrategyFiles.ts) is evaluated here, checked against shared/userStrategy's schema
 * and registered in this thread's catalogue, so a StrategyRef naming it resolves like a built-in's. A
 * pool worker does this first for main (a check task: main gets the definition back as data and never
 * runs the file), then for each task that names the strategy (its source travels with the task), and a
 * remote worker's sandbox for each chunk that carries one. No I/O: the code arrives as text.
 */
import type { MessagePort } from 'node:worker_threads';
import {
  registerUserStrategy,
  replaceUserStrategies,
  strategyCatalogue,
} from '../../core/strategy/registry.ts';
import { OrderType, Sizing } from '../../core/strategy-api/order-port.ts';
import type {
  Strategy,
  StrategyContext,
  StrategyDefinition,
  StrategyParams,
} from '../../core/strategy-api/types.ts';
import { userStrategyIssue, userStrategySchema, type UserStrategyInfo } from '../../shared/userStrategy.ts';

export interface UserStrategySource {
  /** The file, relative to the data folder (strategies/rsi.ts): named in every problem. */
  readonly file: string;
  /** The file compiled to CommonJS. */
  readonly code: string;
  /** The compiled code's source-map mappings: a runtime error's line becomes the file's line. */
  readonly mappings: string;
  /**
   * SHA-256 (hex) of the file's text: its first 8 digits are appended to its version (an edited file is
   * another version), the whole is the definition's sourceHash (what a live set and a bot compare).
   */
  readonly hash: string;
}

/** A strategy file that failed to load or to run, with the file's line when it is known. */
export class UserStrategyError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'UserStrategyError';
  }
}

/** What `import ... from 'regimen'` gives a strategy file: the order port's constants. */
const RUNTIME_API = Object.freeze({ OrderType, Sizing });

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The file's line (1-based) of each compiled line's first mapped segment, 0 where none is mapped. */
function originalLines(mappings: string): number[] {
  const lines: number[] = [];
  let sourceLine = 0;
  for (const line of mappings.split(';')) {
    let first = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      // Base64 VLQ: 5 bits a digit, bit 6 continues, the lowest bit of a value is its sign.
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        sourceLine += fields[2]!;
        if (first === 0) first = sourceLine + 1;
      }
    }
    lines.push(first);
  }
  return lines;
}

/** `new Function` puts its parameter list and the opening brace on two lines before the body. */
const FUNCTION_HEADER_LINES = 2;

/** Where in the file `error` was thrown, when its stack passes through the file's code. */
function errorLine(error: unknown, source: UserStrategySource): number | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const frame = /<anonymous>:(\d+):\d+/.exec(stack);
  if (frame === null) return undefined;
  const line = originalLines(source.mappings)[Number(frame[1]) - FUNCTION_HEADER_LINES - 1];
  return line === undefined || line === 0 ? undefined : line;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An instance whose failures name the strategy, its file and line, and what it was doing: the engine
 * reports them as the backtest's or the trial's error. The guard costs one try block per call.
 */
class GuardedStrategy implements Strategy {
  constructor(
    private readonly inner: Strategy,
    private readonly fail: (where: string, error: unknown) => UserStrategyError,
  ) {}

  init(context: StrategyContext): number {
    let first: unknown;
    try {
      first = this.inner.init(context);
    } catch (error) {
      throw this.fail('init', error);
    }
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 0)
      throw this.fail(
        'init',
        new Error(`must return the first bar onBar needs (an integer >= 0), got ${String(first)}`),
      );
    return first;
  }

  onBar(i: number): void {
    try {
      this.inner.onBar(i);
    } catch (error) {
      throw this.fail(`onBar at bar ${i}`, error);
    }
  }

  reparameterize(params: StrategyParams): void {
    try {
      this.inner.reparameterize(params);
    } catch (error) {
      throw this.fail('reparameterize', error);
    }
  }
}

/**
 * The definition a compiled strategy file exports (`export default` or `export const strategy`), checked
 * and guarded, its version suffixed with the file's hash. Throws a UserStrategyError naming the file and,
 * where it can, the line: code that throws while loading, an import other than 'regimen', an export that
 * is not a valid definition.
 */
export function evaluateUserStrategy(source: UserStrategySource): StrategyDefinition {
  const module: { exports: Record<string, unknown> } = { exports: {} };
  const require = (id: string): unknown => {
    if (id === 'regimen') return RUNTIME_API;
    throw new Error(`cannot import ${JSON.stringify(id)}: a strategy file may import only 'regimen'`);
  };
  try {
    // The file is the user's own code, run with the rights of the process that loads it (as a plug-in).
    new Function('module', 'exports', 'require', source.code)(module, module.exports, require);
  } catch (error) {
    throw new UserStrategyError(
      `threw while loading: ${messageOf(error)}`,
      source.file,
      errorLine(error, source),
    );
  }
  const exported = module.exports['default'] ?? module.exports['strategy'];
  if (exported === undefined)
    throw new UserStrategyError(
      'exports no strategy: add `export default { name, version, description, params, create }`',
      source.file,
    );
  const parsed = userStrategySchema.safeParse(exported);
  if (!parsed.success) throw new UserStrategyError(userStrategyIssue(parsed.error), source.file);
  const declared = parsed.data;
  const name = declared.name;
  const fail = (where: string, error: unknown): UserStrategyError => {
    const line = errorLine(error, source);
    return new UserStrategyError(
      `strategy ${name} (${source.file}${line === undefined ? '' : `:${line}`}): ${where} threw: ${messageOf(error)}`,
      source.file,
      line,
    );
  };
  return {
    ...declared,
    version: `${declared.version}+${source.hash.slice(0, 8)}`,
    sourceHash: source.hash,
    create: (params) => {
      let instance: unknown;
      try {
        instance = declared.create(params);
      } catch (error) {
        throw fail('create', error);
      }
      const methods = ['init', 'onBar', 'reparameterize'] as const;
      const missing = methods.filter(
        (method) => typeof (instance as Record<string, unknown> | null)?.[method] !== 'function',
      );
      if (missing.length > 0)
        throw fail('create', new Error(`must return a Strategy; it has no ${missing.join(', ')}`));
      return new GuardedStrategy(instance as Strategy, fail);
    },
  };
}

/** What a thread that ran a file tells main: the definition as data, or why the file was left out. */
export type UserStrategyCheck =
  | { readonly ok: true; readonly info: UserStrategyInfo }
  | { readonly ok: false; readonly message: string; readonly line?: number };

/**
 * A pool worker's task that runs a file for the first time, for main to learn its definition without
 * running it itself: the worker says on `started` when the file's code begins, and main gives it a time
 * limit from then (a file whose top level never returns loses its thread, not main).
 */
export interface StrategyCheckTask {
  readonly kind: 'strategy-check';
  readonly source: UserStrategySource;
  readonly started: MessagePort;
}

/** Runs a file (in a worker) and answers with its definition as data, or the problem. */
export function checkUserStrategy(source: UserStrategySource): UserStrategyCheck {
  try {
    const definition = evaluateUserStrategy(source);
    // Data only: a function does not cross to main (and main would never call it).
    const info = Object.fromEntries(Object.entries(definition).filter(([key]) => key !== 'create'));
    return { ok: true, info: info as UserStrategyInfo };
  } catch (error) {
    if (!(error instanceof UserStrategyError)) throw error;
    return { ok: false, message: error.message, ...(error.line === undefined ? {} : { line: error.line }) };
  }
}

/** Definitions this thread evaluated, by file hash: a worker switching between versions runs each once. */
const evaluated = new Map<string, StrategyDefinition>();

/**
 * Makes `source` the strategy its name runs in this thread (a pool worker before each task that names
 * one, a remote sandbox per chunk): evaluated once per file content, registered again when another
 * version ran here last.
 */
export function ensureUserStrategy(source: UserStrategySource): void {
  let definition = evaluated.get(source.hash);
  if (definition === undefined) {
    definition = evaluateUserStrategy(source);
    evaluated.set(source.hash, definition);
  }
  if (strategyCatalogue()[definition.name] === definition) return;
  try {
    registerUserStrategy(definition);
  } catch (error) {
    throw new UserStrategyError(messageOf(error), source.file);
  }
}

/** Main's sources: the current one by name, and every version loaded since start by `name@version`. */
const current = new Map<string, UserStrategySource>();
const byVersion = new Map<string, UserStrategySource>();

/**
 * Main's catalogue of user strategies becomes `checked` (files a worker ran and described): each
 * definition is data, and its `create` refuses, since main never runs a user's code; the tasks that
 * run one carry its source to the worker (userStrategyFor).
 */
export function useCheckedUserStrategies(
  checked: readonly { readonly source: UserStrategySource; readonly info: UserStrategyInfo }[],
): void {
  replaceUserStrategies(
    checked.map(({ source, info }) => ({
      ...info,
      create: () => {
        throw new UserStrategyError(
          `strategy ${info.name} (${source.file}) runs on the compute workers only`,
          source.file,
        );
      },
    })),
  );
  current.clear();
  for (const { source, info } of checked) {
    current.set(info.name, source);
    byVersion.set(`${info.name}@${info.version}`, source);
  }
}

/**
 * The source of the user strategy `name` as a task names it: at `version` when the ref names one (a
 * study started before a reload keeps its version), else the current file; undefined for a built-in.
 */
export function userStrategySource(name: string, version?: string): UserStrategySource | undefined {
  return version === undefined ? current.get(name) : byVersion.get(`${name}@${version}`);
}

/** Whether running `ref` runs a user's code, which only a pool worker may (never main's own thread). */
export function runsUserCode(ref: { readonly name: string; readonly version: string }): boolean {
  return userStrategySource(ref.name, ref.version) !== undefined;
}
