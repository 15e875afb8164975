/**
 * Where this host's studies compute (Settings > Compute, `compute:*` channels): this machine's pool or
 * `regimen worker` processes over Redis. The choice is kept in the data folder (`compute.json`) with the
 * URL stripped of its password; the password goes to the secret store, like the Alpaca keys, and
 * REGIMEN_REDIS_PASSWORD wins over it. Nothing this module returns or throws carries the password.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ComputeStatus, ComputeTestResult, ComputeWorker } from '../../../shared/computeContract.ts';
import { InputError, UpstreamError } from '../../../shared/errors.ts';
import type { ComputePool } from '../../compute/pool.ts';
import { MASKED_PASSWORD, safeUrl } from '../../secrets/redact.ts';
import type { SecretStore } from '../../secrets/secretStore.ts';
import { poolEvaluators, type EvaluatorSource } from '../optimize/evaluator.ts';
import { REDIS_PASSWORD_ENV, REDIS_PASSWORD_SECRET } from './redisPassword.ts';
import type { RemoteCompute } from './queueEvaluator.ts';

const SETTINGS_FILE = 'compute.json';
const Saved = z.object({ target: z.enum(['local', 'redis']), redisUrl: z.string().nullable() });
type Saved = z.infer<typeof Saved>;

/** The URL without its password, and the password (empty when it has none); a bad URL names what is wrong. */
function splitUrl(raw: string): { url: string; password: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(
      'not a URL (expected redis://[user[:password]@]host:port or rediss://…)',
      'redisUrl',
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new InputError(`must be a redis:// or rediss:// URL, got ${url.protocol}//`, 'redisUrl');
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), password };
}

function withPassword(url: string, password: string): string {
  if (password === '') return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface ComputeChoiceDeps {
  readonly dataDir: string;
  readonly pool: ComputePool;
  readonly secrets: SecretStore;
  readonly env: NodeJS.ProcessEnv;
  /** Opens a connection to Redis (tests may shorten its polls); the queue evaluator's by default. */
  readonly connect?: (redisUrl: string) => Promise<RemoteCompute>;
}

export class ComputeChoice {
  private saved: Saved;
  /** The open connection and the full URL it was opened with (a new password reconnects). */
  private remote: { url: string; compute: Promise<RemoteCompute> } | null = null;
  /** Connections given up for another choice, open until the studies computing there finish. */
  private readonly retiring = new Set<RemoteCompute>();

  constructor(private readonly deps: ComputeChoiceDeps) {
    this.saved = this.read();
  }

  private get file(): string {
    return join(this.deps.dataDir, SETTINGS_FILE);
  }

  private read(): Saved {
    if (!existsSync(this.file)) return { target: 'local', redisUrl: null };
    const parsed = Saved.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    // A hand-edited file that makes no sense computes here rather than failing every study.
    return parsed.success ? parsed.data : { target: 'local', redisUrl: null };
  }

  private write(saved: Saved): void {
    // Written aside and renamed, so a crash leaves the old choice or the new one, never half a file.
    writeFileSync(`${this.file}.tmp`, `${JSON.stringify(saved, null, 2)}\n`);
    renameSync(`${this.file}.tmp`, this.file);
    this.saved = saved;
  }

  private async password(): Promise<{ value: string; source: ComputeStatus['password'] }> {
    const fromEnv = this.deps.env[REDIS_PASSWORD_ENV];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'environment' };
    const saved = await this.deps.secrets.get(REDIS_PASSWORD_SECRET);
    return saved === null || saved === '' ? { value: '', source: 'none' } : { value: saved, source: 'saved' };
  }

  private async open(url: string): Promise<RemoteCompute> {
    if (this.deps.connect !== undefined) return this.deps.connect(url);
    const { RemoteCompute } = await import('./queueEvaluator.ts');
    return RemoteCompute.connect({ redisUrl: url });
  }

  /** The connection to the chosen Redis, opened on first use and again after a failed attempt. */
  private async connection(): Promise<RemoteCompute> {
    const { redisUrl } = this.saved;
    if (redisUrl === null) throw new Error('no Redis URL is chosen');
    const url = withPassword(redisUrl, (await this.password()).value);
    if (this.remote?.url !== url) {
      await this.dropConnection();
      const compute = this.open(url);
      this.remote = { url, compute };
      compute.catch(() => {
        if (this.remote?.compute === compute) this.remote = null;
      });
    }
    return this.remote.compute;
  }

  /** Leaves the current connection to the studies running on it; it closes when the last one ends. */
  private async dropConnection(): Promise<void> {
    const previous = this.remote;
    this.remote = null;
    const compute = await previous?.compute.catch(() => undefined);
    if (compute === undefined) return;
    this.retiring.add(compute);
    // Closing a connection whose Redis is gone may fail; it is gone either way.
    void compute
      .retire()
      .catch(() => undefined)
      .finally(() => this.retiring.delete(compute));
  }

  /**
   * Where a study or walk-forward window computes: read when it starts, so a new choice applies to the
   * next one while those running finish where they started.
   */
  readonly evaluators: EvaluatorSource = async (data, settings, studyKey, plannedTrials) => {
    if (this.saved.target === 'local')
      return poolEvaluators(this.deps.pool)(data, settings, studyKey, plannedTrials);
    const remote = await this.connection().catch((error: unknown) => {
      throw new UpstreamError(
        `Settings > Compute: ${messageOf(error)} (choose "this machine" there to compute here)`,
        'unavailable',
      );
    });
    return remote.evaluators(data, settings, studyKey);
  };

  async status(): Promise<ComputeStatus> {
    const { source, value } = await this.password();
    const base = {
      target: this.saved.target,
      // A password in use shows as ***, so the page says one is set without ever holding it.
      redisUrl: this.saved.redisUrl === null ? null : safeUrl(withPassword(this.saved.redisUrl, value)),
      password: source,
      secretStore: this.deps.secrets.kind === 'keychain' ? ('os' as const) : ('memory' as const),
    };
    const none = { workers: [], otherWorkers: [] };
    if (this.saved.target === 'local') return { ...base, connection: { state: 'local' }, ...none };
    try {
      const remote = await this.connection();
      return {
        ...base,
        connection: { state: 'connected', queue: remote.queueName },
        workers: await remote.workers(),
        otherWorkers: await remote.otherWorkers(),
      };
    } catch (error) {
      return { ...base, connection: { state: 'unreachable', error: messageOf(error) }, ...none };
    }
  }

  /** Connects to `raw` (the saved URL when absent), reads its workers and closes the connection again. */
  private async probe(
    raw: string | undefined,
  ): Promise<{ url: string; password: string; workers: ComputeWorker[] }> {
    let url: string;
    let password: string;
    if (raw === undefined) {
      if (this.saved.redisUrl === null) throw new InputError('no Redis URL is saved: give one', 'redisUrl');
      url = this.saved.redisUrl;
      password = (await this.password()).value;
    } else {
      ({ url, password } = splitUrl(raw));
      // A URL without a password (or with the mask the page was shown) uses the environment's or the
      // saved one, as the CLI's --redis does.
      if (password === '' || password === MASKED_PASSWORD) password = (await this.password()).value;
    }
    const remote = await this.open(withPassword(url, password)).catch((error: unknown) => {
      throw new UpstreamError(messageOf(error), 'unavailable');
    });
    try {
      return { url, password, workers: await remote.workers() };
    } finally {
      await remote.close();
    }
  }

  async test(raw: string | undefined): Promise<ComputeTestResult> {
    try {
      const { url, password, workers } = await this.probe(raw);
      return { ok: true, redisUrl: safeUrl(withPassword(url, password)), workers };
    } catch (error) {
      return { ok: false, error: messageOf(error) };
    }
  }

  /**
   * Chooses where to compute. A Redis URL is tried first and nothing is stored when it does not answer;
   * its password (if it has one) replaces the saved one, a URL without one keeps it.
   */
  async choose(request: { target: 'local' } | { target: 'redis'; redisUrl: string }): Promise<ComputeStatus> {
    if (request.target === 'local') {
      this.write({ target: 'local', redisUrl: this.saved.redisUrl });
      await this.dropConnection();
      return this.status();
    }
    const { url, password } = splitUrl(request.redisUrl);
    await this.probe(request.redisUrl);
    if (password !== '' && password !== MASKED_PASSWORD)
      await this.deps.secrets.set(REDIS_PASSWORD_SECRET, password);
    this.write({ target: 'redis', redisUrl: url });
    return this.status();
  }

  async close(): Promise<void> {
    await this.dropConnection();
    await Promise.all([...this.retiring].map((compute) => compute.close()));
  }
}
