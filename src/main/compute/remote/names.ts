/**
 * Names in Redis shared by coordinators and workers. The queue is named after a hash of the engine (its
 * code, the strategies it knows and the protocol version), so a worker built from other code listens on
 * another queue and takes nothing it might compute differently.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STRATEGIES } from '../../../core/strategy/index.ts';
import { COMPUTE_PROTOCOL_VERSION } from '../../../shared/computeProtocol.ts';

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(entry.name)) out.push(path);
  }
  return out.sort();
}

/**
 * The code a trial's result depends on. From sources: core, the task runner, the sandbox and the
 * protocol; in the compiled CLI: every file of the bundle (the engine is spread over its chunks).
 */
function engineFiles(): string[] {
  const here = fileURLToPath(new URL('.', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return filesUnder(here, (name) => name.endsWith('.js'));
  const src = fileURLToPath(new URL('../../../', import.meta.url));
  return [
    ...filesUnder(`${src}core`, (name) => name.endsWith('.ts') && !name.includes('.test')),
    `${src}main/compute/tasks.ts`,
    `${src}main/compute/remote/sandbox.ts`,
    `${src}shared/computeProtocol.ts`,
  ];
}

let engine: string | undefined;

/** 16 hex digits naming this build's engine; equal on two machines only when they compute alike. */
export function engineHash(): string {
  if (engine !== undefined) return engine;
  const hash = createHash('sha256');
  hash.update(`protocol ${COMPUTE_PROTOCOL_VERSION}\n`);
  const strategies = Object.entries(STRATEGIES as Record<string, { version: string }>)
    .map(([name, definition]) => `${name}@${definition.version}`)
    .sort();
  hash.update(`strategies ${strategies.join(',')}\n`);
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  for (const file of engineFiles()) {
    hash.update(`${file.slice(root.length)}\n`);
    hash.update(readFileSync(file));
  }
  engine = hash.digest('hex').slice(0, 16);
  return engine;
}

/** BullMQ's queue (its own keys live under `bull:<name>:`). */
export function queueName(hash = engineHash()): string {
  return `regimen-trials-${hash}`;
}

/** A dataset's bars by content fingerprint: the same bars whichever engine reads them. */
export function barsKey(fingerprint: string): string {
  return `regimen:bars:${fingerprint}`;
}

/** Trial number -> result, written once per trial by whichever worker finishes it first. */
export function resultsKey(hash: string, studyKey: string): string {
  return `regimen:${hash}:results:${studyKey}`;
}

/** One key per live worker process, refreshed by its heartbeat, expiring when it stops. */
export function workerKey(hash: string, workerId: string): string {
  return `regimen:${hash}:workers:${workerId}`;
}

export function workerKeyPattern(hash: string): string {
  return `regimen:${hash}:workers:*`;
}

/** BullMQ refuses job ids with ':' (its own key separator). */
export function jobIdOf(studyKey: string, numbers: readonly number[]): string {
  const safe = studyKey.replace(/[^A-Za-z0-9_.-]/g, '_');
  const first = numbers[0]!;
  const last = numbers.at(-1)!;
  const contiguous = numbers.every((n, i) => n === first + i);
  if (contiguous) return `${safe}_${first}-${last}`;
  // Trials re-asked on resume need not be consecutive: the set itself names the job.
  const digest = createHash('sha256').update(numbers.join(',')).digest('hex').slice(0, 12);
  return `${safe}_${first}-${last}_${digest}`;
}

/** A Redis password given outside the URL (a password in a command line is visible to every user). */
export const REDIS_PASSWORD_ENV = 'REGIMEN_REDIS_PASSWORD';

/**
 * The Redis URL to connect to: `--redis` as given, with REGIMEN_REDIS_PASSWORD as its password when
 * the URL carries none (a password in a command line is visible to every user of the machine).
 */
export function redisUrlFrom(raw: string, env: NodeJS.ProcessEnv): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not quoted: a text that is no URL cannot be told apart into a host and a password to mask.
    throw new Error('not a URL (expected redis://[user[:password]@]host:port or rediss://host:port)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error(`must be a redis:// or rediss:// URL, got ${url.protocol}//`);
  const password = env[REDIS_PASSWORD_ENV];
  if (url.password === '' && password !== undefined && password !== '') url.password = password;
  return url.toString();
}
