/** `regimen worker` processes for the distributed tests, run from sources, their stderr kept. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything it printed on stderr so far. */
  log(): string;
  /** Pids of the sandbox children it started, in order. */
  sandboxPids(): number[];
  /** Resolves once the worker listens on its queue; rejects if it exits first. */
  readonly ready: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a worker. `imports` are modules loaded first in the worker and its sandboxes (a test strategy),
 * which also makes its engine hash that of "other code" unless the coordinator loads them too.
 */
export function startWorker(
  redisUrl: string,
  options: {
    concurrency?: number;
    imports?: readonly string[];
    env?: NodeJS.ProcessEnv;
    /** --lock-seconds: the failure tests shorten it so a killed worker's chunk returns in seconds. */
    lockSeconds?: number;
    /** --sandbox-start-seconds: how long a sandbox child may take to get ready. */
    sandboxStartSeconds?: number;
    /** The compiled CLI (`npm run build`), as a built `regimen serve` runs: the same engine hash. */
    built?: boolean;
    /** --allow-user-strategies: run the strategy files a coordinator sends. */
    allowUserStrategies?: boolean;
  } = {},
): WorkerProcess {
  const execArgv =
    options.built === true
      ? []
      : ['--import', 'tsx', ...(options.imports ?? []).flatMap((m) => ['--import', m])];
  const child = spawn(
    process.execPath,
    [
      ...execArgv,
      `${ROOT}bin/regimen.js`,
      'worker',
      '--redis',
      redisUrl,
      '--concurrency',
      String(options.concurrency ?? 1),
      ...(options.lockSeconds === undefined ? [] : ['--lock-seconds', String(options.lockSeconds)]),
      ...(options.sandboxStartSeconds === undefined
        ? []
        : ['--sandbox-start-seconds', String(options.sandboxStartSeconds)]),
      ...(options.allowUserStrategies === true ? ['--allow-user-strategies'] : []),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env, REGIMEN_FROM_SOURCES: options.built === true ? '0' : '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (data: Buffer) => {
      text += data.toString();
      if (text.includes('taking trials from')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${signal ?? code}): ${text}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    log: () => text,
    sandboxPids: () => [...text.matchAll(/sandbox pid (\d+) started/g)].map((m) => Number(m[1])),
    ready,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(late);
    },
  };
}
