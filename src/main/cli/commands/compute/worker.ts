import { availableParallelism } from 'node:os';
import { numberOption, requiredOption, UsageError } from '../../args.ts';
import type { Command } from '../../command.ts';
import { startRemoteWorker } from '../../../compute/remote/remoteWorker.ts';
import { redisUrlFrom, safeUrl } from '../../../compute/remote/names.ts';

export const workerCommand: Command = {
  usage:
    '--redis URL [--concurrency N]\n' +
    '        URL: redis://[user[:password]@]host:port (rediss:// for TLS; password also from\n' +
    '        REGIMEN_REDIS_PASSWORD); N sandbox processes, one per core by default',
  options: {
    redis: { type: 'string' },
    concurrency: { type: 'string' },
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
    const worker = await startRemoteWorker({
      redisUrl,
      concurrency,
      log: (line) => io.err(`${line}\n`),
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
