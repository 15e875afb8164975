/**
 * Settings > Compute: where studies and walk-forward runs compute (this machine's pool, or `regimen
 * worker` processes over Redis) and the workers connected. A Redis password travels one way, like the
 * Alpaca keys: `compute:choose` and `compute:test` carry it to main, which keeps it in the secret store;
 * every answer shows the URL with its password masked, and errors pass through the services' scrubber.
 */
import { z } from 'zod';
import type { COMPUTE_CHANNELS } from './computeChannels.ts';
import { workerInfoSchema } from './computeProtocol.ts';
import type { DomainContract } from './domain.ts';

const redisUrl = z
  .string()
  .trim()
  .min(1, 'the Redis URL is required')
  .max(2048, 'the Redis URL is at most 2048 characters');

/** A worker process as its heartbeat describes it (host, cores, sandboxes, throughput). */
export const ComputeWorker = workerInfoSchema;

export const ComputeStatus = z.object({
  target: z.enum(['local', 'redis']),
  /** The chosen URL with any password shown as ***; null while computing on this machine. */
  redisUrl: z.string().nullable(),
  /** Where the password in use comes from (REGIMEN_REDIS_PASSWORD wins over a saved one). */
  password: z.enum(['none', 'saved', 'environment']),
  /** 'memory' when no OS keychain answered: a saved password lasts until the services stop. */
  secretStore: z.enum(['os', 'memory']),
  /** Whether the chosen Redis answers now; why not, in a sentence (never with the password). */
  connection: z.discriminatedUnion('state', [
    z.object({ state: z.literal('local') }),
    z.object({ state: z.literal('connected'), queue: z.string() }),
    z.object({ state: z.literal('unreachable'), error: z.string() }),
  ]),
  workers: z.array(ComputeWorker),
  /** Workers on that Redis built from other code: they take none of this machine's trials. */
  otherWorkers: z.array(ComputeWorker),
});

/**
 * The Redis a running study computes on, when it is not simply up: lost (the study waits for it, and
 * why and since when) or back after a loss. Its URL shows the password as ***, as everywhere else.
 */
export const RedisConnectionNotice = z.discriminatedUnion('state', [
  z.object({ state: z.literal('lost'), redisUrl: z.string(), reason: z.string(), lostAt: z.number() }),
  z.object({ state: z.literal('back'), redisUrl: z.string(), lostAt: z.number(), backAt: z.number() }),
]);

export const ComputeChooseRequest = z.discriminatedUnion('target', [
  z.strictObject({ target: z.literal('local') }),
  z.strictObject({ target: z.literal('redis'), redisUrl }),
]);

/** Tests a URL (the saved one when none is given) without choosing it. */
export const ComputeTestRequest = z.strictObject({ redisUrl: redisUrl.optional() });
export const ComputeTestResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), redisUrl: z.string(), workers: z.array(ComputeWorker) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

const empty = z.strictObject({});

export const computeContract = {
  requests: {
    'compute:status': { input: empty, output: ComputeStatus, refused: 'Compute status not read' },
    'compute:choose': {
      input: ComputeChooseRequest,
      output: ComputeStatus,
      refused: 'Compute backend not changed',
    },
    'compute:test': {
      input: ComputeTestRequest,
      output: ComputeTestResult,
      refused: 'Compute backend not tested',
    },
  },
  events: {},
} as const satisfies DomainContract<typeof COMPUTE_CHANNELS>;

export type ComputeStatus = z.output<typeof ComputeStatus>;
export type ComputeWorker = z.output<typeof ComputeWorker>;
export type ComputeChooseRequest = z.output<typeof ComputeChooseRequest>;
export type ComputeTestResult = z.output<typeof ComputeTestResult>;
export type RedisConnectionNotice = z.output<typeof RedisConnectionNotice>;
