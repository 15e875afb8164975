import { availableParallelism } from 'node:os';
import { numberOption, requiredOption, UsageError } from '../../args.ts';
import type { Command } from '../../command.ts';
import {
  LOCK_DURATION_MS,
  SANDBOX_START_LIMIT_MS,
  startRemoteWorker,
} from '../../../compute/remote/remoteWorker.ts';
import { redisUrlFrom } from '../../../compute/remote/names.ts';
import { passwordOf, redactSecrets, safeUrl } from '../../../secrets/redact.ts';

export const workerCommand: Command = {
  usage:
    '--redis URL [--concurrency N] [--lock-seconds S] [--sandbox-start-seconds T]\n' +
    '        [--allow-user-strategies]\n' +
    '        URL: redis://[user[:password]@]host:port (rediss:// for TLS; password also from\n' +
    '        REGIMEN_REDIS_PASSWORD); N sandbox processes, one per core by default; S: how long the\n' +
    '        chunks of a worker that died wait before another worker takes them (default 10);\n' +
    '        --allow-user-strategies: run the strategy files (code) a coordinator sends with its chunks\n' +
    '        (off: their trials fail saying so; allow it only on a queue you trust)',
  options: {
    redis: { type: 'string' },
    concurrency: { type: 'string' },
    'lock-seconds': { type: 'string' },
    'sandbox-start-seconds': { type: 'string' },
    'allow-user-strategies': { type: 'boolean' },
  },
  async run(args, io) {
    let redisUrl: string;
    try {
      redisUrl = redisUrlFrom(requiredOption(args, 'redis'), process.env);
    } catch (error) {
      throw new UsageError(`--redis: ${error instanceof Error ? error.message : String(error)}`);
    }
    const concurrency = numberOption(args, 'concurrency', availableParallelism());
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError(`--concurrency must be an integer >= 1, got ${concurrency}`);
    const lockSeconds = numberOption(args, 'lock-seconds', LOCK_DURATION_MS / 1000);
    // Below a second, a busy machine's event loop would miss renewals and chunks would run twice.
    if (!(lockSeconds >= 1)) throw new UsageError(`--lock-seconds must be at least 1, got ${lockSeconds}`);
    const startSeconds = numberOption(args, 'sandbox-start-seconds', SANDBOX_START_LIMIT_MS / 1000);
    if (!(startSeconds > 0))
      throw new UsageError(`--sandbox-start-seconds must be above 0, got ${startSeconds}`);
    const worker = await startRemoteWorker({
      redisUrl,
      concurrency,
      lockDurationMs: Math.round(lockSeconds * 1000),
      sandboxStartLimitMs: Math.round(startSeconds * 1000),
      allowUserStrategies: args.values['allow-user-strategies'] === true,
      redisLabel: safeUrl(redisUrl),
      // Redis may quote the password in an error: masked in every line, whatever its length.
      log: (line) => io.err(`${redactSecrets(line, passwordOf(redisUrl))}\n`),
    });
    io.err(`taking trials from ${safeUrl(redisUrl)}; Ctrl-C stops after the chunks in hand\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await worker.close();
    return 0;
  },
};
