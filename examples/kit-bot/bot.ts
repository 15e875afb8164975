/**
 * A trader's own bot, written with the kit alone (src/core/live/kit) and Node's HTTP server: what a
 * trader copies to put their own execution behind the bot protocol (docs/bot-protocol.yaml).
 *
 * - every request is verified first (RequestVerifier: signature, 30 s window, nonces): 401 otherwise;
 * - a push is validated and taken by delivery order by the LiveRunner (hash, strategy, parameter
 *   limits, ramp plan; a repeat is a no-op, an older version refused: 409) and takes over at the next
 *   bar, ramped and under the push's position policy;
 * - halt, resume and heartbeat go to the runner (it halts on its own when the heartbeats stop);
 * - status and reports are the kit's buildStatus and buildReports: paged and numbered as the protocol
 *   says, however many old bars and fills the bot's windows dropped.
 *
 * Orders fill on the runner's simulated book here. To trade on a broker, after each `onBar` send the
 * difference between `runner.position` and the account's position as a market order, and report the
 * broker's fills with bookOf (src/main/livebot/referenceBot.ts does this for Alpaca paper).
 *
 * Run it against the suite: `regimen bot conformance --bot http://127.0.0.1:PORT` with the same secret.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildReports,
  buildStatus,
  HALT_MODES,
  LiveRunner,
  POSITION_POLICIES,
  RequestVerifier,
  SIGNATURE_HEADERS,
  STRATEGIES,
  type HaltMode,
  type HeartbeatPolicy,
  type LiveBar,
  type LivePush,
} from '../../src/core/live/kit/index.ts';

export interface KitBotOptions {
  readonly secret: string;
  readonly symbol: string;
  readonly heartbeat: HeartbeatPolicy;
  /** Bars the bot keeps (a sliding window; at least twice the longest look-back it runs). */
  readonly capacity: number;
  /** Fills it keeps for reports (the newest). */
  readonly fillWindow?: number;
  readonly port?: number;
}

export interface KitBot {
  readonly url: string;
  readonly runner: LiveRunner;
  /** A bar closed: the pending set takes over at its boundary, then the bar is traded. */
  onBar(bar: LiveBar): void;
  close(): Promise<void>;
}

/** A refusal the protocol names by a code. */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startKitBot(options: KitBotOptions): Promise<KitBot> {
  const runner = new LiveRunner({
    catalogue: STRATEGIES,
    capacity: options.capacity,
    heartbeat: options.heartbeat,
    ...(options.fillWindow === undefined ? {} : { fillWindow: options.fillWindow }),
  });
  const verifier = new RequestVerifier(options.secret);
  const status = () => buildStatus(runner, options.symbol, options.heartbeat);

  const route = (method: string, url: URL, body: string): unknown => {
    switch (`${method} ${url.pathname}`) {
      case 'GET /v1/status':
        return status();
      case 'GET /v1/reports':
        return buildReports(runner, runner.fillRecord, count(url, 'fillsFrom'), count(url, 'barsFrom'));
      case 'POST /v1/apply': {
        const push = applyRequest(body);
        const outcome = runner.apply(push);
        if (outcome.kind === 'refused') throw new Refused(409, outcome.reason, outcome.message);
        return { result: outcome.kind, version: outcome.version, effective: 'next-bar' };
      }
      case 'POST /v1/heartbeat':
        return { at: runner.heartbeat(), timeoutMs: options.heartbeat.timeoutMs };
      case 'POST /v1/halt': {
        const { mode, reason } = json(body) as { mode?: unknown; reason?: unknown };
        if (!HALT_MODES.includes(mode as HaltMode))
          throw new Refused(400, 'invalid-request', `mode: one of ${HALT_MODES.join(', ')}`);
        runner.halt(mode as HaltMode, typeof reason === 'string' ? reason : '');
        return status();
      }
      case 'POST /v1/resume':
        runner.resume();
        return status();
      default:
        throw new Refused(404, 'not-found', `no route ${method} ${url.pathname}`);
    }
  };

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    let status = 200;
    let answer: unknown;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => request.headers[name] as string | undefined;
      const refusal = verifier.verify({
        method,
        path,
        body,
        timestamp: header(SIGNATURE_HEADERS.timestamp),
        nonce: header(SIGNATURE_HEADERS.nonce),
        signature: header(SIGNATURE_HEADERS.signature),
      });
      if (refusal !== undefined) throw new Refused(401, refusal, `refused: ${refusal}`);
      answer = route(method, new URL(path, 'http://bot'), body);
    } catch (error) {
      const refused = error instanceof Refused ? error : new Refused(500, 'internal', String(error));
      status = refused.status;
      answer = { error: { code: refused.code, message: refused.message } };
    }
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer));
  };

  const server = createServer((request, response) => void serve(request, response));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    runner,
    onBar: (bar) => runner.onBar(bar),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(body: string): unknown {
  try {
    return body === '' ? {} : JSON.parse(body);
  } catch {
    throw new Refused(400, 'invalid-json', 'the request body is not JSON');
  }
}

/** The push as the runner takes it; the runner validates the set itself (hash, strategy, limits, ramp). */
function applyRequest(body: string): LivePush {
  const push = json(body) as Partial<LivePush> & { set?: { hash?: unknown } };
  if (typeof push.changeId !== 'string' || !Number.isInteger(push.version) || typeof push.set !== 'object')
    throw new Refused(400, 'invalid-request', 'an apply needs changeId, version and set');
  const policy = push.policy ?? 'keep';
  if (!POSITION_POLICIES.includes(policy))
    throw new Refused(400, 'invalid-request', `policy: one of ${POSITION_POLICIES.join(', ')}`);
  return { ...push, hash: String(push.set?.hash), policy } as LivePush;
}

function count(url: URL, name: string): number {
  const value = Number(url.searchParams.get(name) ?? 0);
  if (!Number.isInteger(value) || value < 0)
    throw new Refused(400, 'invalid-request', `${name}: must be an integer >= 0`);
  return value;
}
