/**
 * The services behind an in-process HTTP host, on a temp data dir holding one small synthetic symbol
 * (SYNX, 1m bars of January 2024): what the contract tests of the hardening work post to. No keys, an
 * empty environment, keys in memory, so nothing reaches the network or the OS keychain.
 */
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { MemorySecretStore } from '../../src/main/secrets/secretStore.ts';
import { startHttpHost, type HttpHost } from '../../src/main/server/httpHost.ts';
import { createServices, type Services, type ServicesOptions } from '../../src/main/services/services.ts';
import { jsonOrText } from '../../src/shared/responseBody.ts';
import { tempDir } from '../marketdata/helpers.ts';

export const HOST_SYMBOL = 'SYNX';
export const HOST_START = Date.UTC(2024, 0, 2);
export const HOST_END = Date.UTC(2024, 1, 1);
/** A valid `backtest:run` request on the host's symbol: what the contract tests run or alter one field of. */
export const HOST_BACKTEST = {
  symbol: HOST_SYMBOL,
  timeframe: '1h',
  strategy: 'sma-cross',
  params: { fast: 5, slow: 20 },
} as const;

/** A small `optimize:start` request on the host's symbol, as the Optimize view sends one (12 random trials). */
export const HOST_STUDY = {
  strategy: 'sma-cross',
  data: { symbol: HOST_SYMBOL, timeframes: ['1h'] },
  space: ['fast=3:12', 'slow=15:40'],
  sampler: 'random',
  objectives: [{ metric: 'sharpeRatio' }],
  trials: 12,
  seed: 5,
} as const;

export interface Answer {
  status: number;
  body: unknown;
}

export interface ServiceHost {
  readonly services: Services;
  readonly host: HttpHost;
  readonly dataDir: string;
  post(channel: string, body: unknown): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * The services as a test host runs them, on the data folder `dataDir`: no demo market, one pool thread,
 * keys in memory, and `env` as their whole environment (no keys unless it gives them); Alpaca at
 * `alpaca` (a fake) when given.
 */
export function testServices(
  dataDir: string,
  options: Pick<ServicesOptions, 'env' | 'alpaca' | 'strategyLoadTimeoutMs'> = {},
): Promise<Services> {
  return createServices({
    dataDir,
    host: 'http',
    skipDemo: true,
    threads: 1,
    secrets: new MemorySecretStore(),
    env: options.env ?? {},
    ...(options.alpaca === undefined ? {} : { alpaca: options.alpaca }),
    ...(options.strategyLoadTimeoutMs === undefined
      ? {}
      : { strategyLoadTimeoutMs: options.strategyLoadTimeoutMs }),
  });
}

/** {@link testServices} on a new temporary data folder (removed by the caller with `dir.remove()`). */
export async function servicesOnTempDir(
  prefix: string,
  options: Parameters<typeof testServices>[1] = {},
): Promise<{ dir: { path: string; remove(): void }; services: Services }> {
  const dir = tempDir(prefix);
  return { dir, services: await testServices(dir.path, options) };
}

/**
 * `env` gives the services Alpaca keys (the fuzz's fetches then reach the Alpaca client, whose host is a
 * port fetch refuses at once, with test-scale retries); without it there are none.
 */
export async function startServiceHost(env: NodeJS.ProcessEnv = {}): Promise<ServiceHost> {
  const { dir, services } = await servicesOnTempDir('regimen-service-host-', {
    env,
    alpaca: {
      dataBaseUrl: 'http://127.0.0.1:9',
      timeoutMs: 200,
      backoffBaseMs: 1,
      requestsPerMinute: 60_000,
    },
  });
  const market = createSyntheticMarket({
    seed: 7,
    start: HOST_START,
    end: HOST_END,
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === HOST_SYMBOL),
  });
  await services.bars.write(HOST_SYMBOL, '1m', market.generate(0).bars, 'test');
  const host = await startHttpHost({ handlers: services.handlers, events: services.events });
  return {
    services,
    host,
    dataDir: dir.path,
    post: (channel, body) => postJson(host.port, host.token, channel, JSON.stringify(body)),
    close: async () => {
      await host.close();
      await services.close();
      dir.remove();
    },
  };
}

/** Posts a raw body (any text, not necessarily JSON) to a channel of the host on `port`. */
export async function postJson(port: number, token: string, channel: string, body: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  return { status: response.status, body: await jsonOrText(response) };
}
