/**
 * `--redis URL` for the commands that run studies (optimize, walk-forward): their trials go to
 * `regimen worker` processes over Redis instead of this machine's pool. The password may come from
 * REGIMEN_REDIS_PASSWORD rather than the URL, which other users of the machine can read in `ps`.
 */
import { redisUrlFrom } from '../../../compute/remote/names.ts';
import { safeUrl } from '../../../secrets/redact.ts';
import type { RemoteCompute } from '../../../services/compute/queueEvaluator.ts';
import { numberOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import type { Backend } from '../../backend.ts';
import type { CommandIO } from '../../command.ts';
import type { WorkerInfo } from '../../../../shared/computeProtocol.ts';
import { otherCodeText } from '../../../../shared/otherCodeText.ts';
import type { RedisConnectionNotice } from '../../../../shared/computeContract.ts';
import { redisConnectionText } from '../../../../shared/redisConnectionText.ts';

export const REMOTE_OPTIONS = {
  redis: { type: 'string' },
  'chunk-size': { type: 'string' },
  'trial-time-limit': { type: 'string' },
} as const;

export const REMOTE_HELP =
  '\n        --redis URL: compute on `regimen worker` processes (redis://[user[:password]@]host:port, rediss:// for TLS;' +
  '\n          password also from REGIMEN_REDIS_PASSWORD), --chunk-size N trials per job, --trial-time-limit SECONDS';

/**
 * `--redis` for a command the data folder's owner (the app or `regimen serve`) runs: the URL becomes the
 * owner's Settings > Compute choice (said on stderr), so this study and the owner's next ones compute
 * on those workers. Chunk size and time limit are the owner's own.
 */
export async function chooseRedisOnOwner(owner: Backend, args: ParsedArgs, io: CommandIO): Promise<void> {
  const raw = stringOption(args, 'redis');
  if (raw === undefined) return;
  for (const flag of ['chunk-size', 'trial-time-limit'])
    if (args.values[flag] !== undefined)
      throw new UsageError(`--${flag} cannot be sent to ${owner.owner}, which holds the data folder`);
  let redisUrl: string;
  try {
    redisUrl = redisUrlFrom(raw, process.env);
  } catch (error) {
    throw new UsageError(`--redis: ${error instanceof Error ? error.message : String(error)}`);
  }
  const status = await owner.request('compute:choose', { target: 'redis', redisUrl });
  io.err(
    `note: ${owner.owner} now computes on ${status.redisUrl ?? safeUrl(redisUrl)} (its Settings > Compute), ` +
      `${status.workers.length} worker(s) connected\n`,
  );
  if (status.workers.length === 0) noteOtherCode(status.otherWorkers, io);
}

/** Workers that are there but run other code, said when none runs this code (the trials would wait). */
function noteOtherCode(others: readonly WorkerInfo[], io: CommandIO): void {
  const note = otherCodeText(others);
  if (note !== null) io.err(`${note}\n`);
}

/** A loss or return of Redis in the words of every client, with what this terminal's keys do meanwhile. */
export function connectionLine(notice: RedisConnectionNotice): string {
  const keys = notice.state === 'lost' ? ' (Ctrl-C stops, --resume goes on later)' : '';
  return `${redisConnectionText(notice)}${keys}\n`;
}

/**
 * Says each loss and return of the owner's Redis once, from the study's progress events (each one after
 * a loss repeats the last notice).
 */
export function connectionSayer(io: CommandIO): (notice: RedisConnectionNotice | undefined) => void {
  let said: RedisConnectionNotice | undefined;
  return (notice) => {
    if (notice === undefined || (notice.state === said?.state && notice.lostAt === said.lostAt)) return;
    said = notice;
    io.err(connectionLine(notice));
  };
}

/** The workers' queue when --redis is given (connected, with the workers it sees noted), else null. */
export async function remoteFrom(args: ParsedArgs, io: CommandIO): Promise<RemoteCompute | null> {
  const raw = stringOption(args, 'redis');
  if (raw === undefined) {
    for (const flag of ['chunk-size', 'trial-time-limit'])
      if (args.values[flag] !== undefined) throw new UsageError(`--${flag} needs --redis`);
    return null;
  }
  let redisUrl: string;
  try {
    redisUrl = redisUrlFrom(raw, process.env);
  } catch (error) {
    throw new UsageError(`--redis: ${error instanceof Error ? error.message : String(error)}`);
  }
  const chunkSize = numberOption(args, 'chunk-size', 0);
  if (!Number.isInteger(chunkSize) || chunkSize < 0)
    throw new UsageError(`--chunk-size must be a positive integer, got ${chunkSize}`);
  const limit = numberOption(args, 'trial-time-limit', 600);
  if (!(limit > 0)) throw new UsageError(`--trial-time-limit must be positive seconds, got ${limit}`);
  const { RemoteCompute } = await import('../../../services/compute/queueEvaluator.ts');
  const remote = await RemoteCompute.connect({
    redisUrl,
    ...(chunkSize > 0 ? { chunkSize } : {}),
    trialTimeLimitMs: Math.round(limit * 1000),
    onConnection: (notice) => io.err(connectionLine(notice)),
  });
  const workers = await remote.workers();
  const slots = workers.reduce((sum, w) => sum + w.concurrency, 0);
  io.err(
    workers.length === 0
      ? `no worker is connected to ${safeUrl(redisUrl)} yet: trials wait in queue ${remote.queueName} until one starts\n`
      : `computing on ${workers.length} worker(s), ${slots} sandboxes, via ${safeUrl(redisUrl)}\n`,
  );
  if (workers.length === 0) noteOtherCode(await remote.otherWorkers(), io);
  return remote;
}
