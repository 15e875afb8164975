/**
 * A trader's own bot, written with the kit alone (src/core/live/kit) and Node's HTTP server: what a
 * trader copies to put their own execution behind the bot protocol (docs/bot-protocol.yaml).
 *
 * - every request is verified first (verifyRequest: signature, 30 s window, nonces): 401 otherwise;
 * - every body is checked against the protocol's schema (parseBody with the kit's zod schemas): a
 *   malformed apply, halt, resume or heartbeat is refused with 400 naming the field, before the runner
 *   sees it;
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
  ApplyRequestSchema,
  BotRefusal,
  buildReports,
  buildStatus,
  HaltRequestSchema,
  HeartbeatRequestSchema,
  LiveRunner,
  parseBody,
  RequestVerifier,
  ResumeRequestSchema,
  STRATEGIES,
  verifyRequest,
  type HeartbeatPolicy,
  type LiveBar,
  type Session,
} from '../../src/shared/botKit.ts';

export interface KitBotOptions {
  readonly secret: string;
  readonly symbol: string;
  /** The hours of the symbol's bars it trades: its status says so, and the workstation reads its candidates in them. */
  readonly session: Session;
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

export async function startKitBot(options: KitBotOptions): Promise<KitBot> {
  const runner = new LiveRunner({
    catalogue: STRATEGIES,
    capacity: options.capacity,
    heartbeat: options.heartbeat,
    ...(options.fillWindow === undefined ? {} : { fillWindow: options.fillWindow }),
  });
  const verifier = new RequestVerifier(options.secret);
  const status = () => buildStatus(runner, options.symbol, options.heartbeat, undefined, options.session);

  const route = (method: string, url: URL, body: string): unknown => {
    switch (`${method} ${url.pathname}`) {
      case 'GET /v1/status':
        return status();
      case 'GET /v1/reports':
        return buildReports(runner, runner.fillRecord, count(url, 'fillsFrom'), count(url, 'barsFrom'));
      case 'POST /v1/apply': {
        const push = parseBody(ApplyRequestSchema, body);
        // The runner checks the set itself: its hash, strategy and version, parameter limits, ramp plan.
        const outcome = runner.apply({ ...push, hash: push.set.hash });
        if (outcome.kind === 'refused') throw new BotRefusal(409, outcome.reason, outcome.message);
        return { result: outcome.kind, version: outcome.version, effective: 'next-bar' };
      }
      case 'POST /v1/heartbeat':
        parseBody(HeartbeatRequestSchema, body);
        return { at: runner.heartbeat(), timeoutMs: options.heartbeat.timeoutMs };
      case 'POST /v1/halt': {
        const { mode, reason } = parseBody(HaltRequestSchema, body);
        runner.halt(mode, reason);
        return status();
      }
      case 'POST /v1/resume':
        parseBody(ResumeRequestSchema, body);
        runner.resume();
        return status();
      default:
        throw new BotRefusal(404, 'not-found', `no route ${method} ${url.pathname}`);
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
      const refusal = verifyRequest(verifier, request, body);
      if (refusal !== undefined) throw new BotRefusal(401, refusal.code, refusal.message);
      answer = route(method, new URL(path, 'http://bot'), body);
    } catch (error) {
      const refused = error instanceof BotRefusal ? error : new BotRefusal(500, 'internal', String(error));
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

function count(url: URL, name: string): number {
  const value = Number(url.searchParams.get(name) ?? 0);
  if (!Number.isInteger(value) || value < 0)
    throw new BotRefusal(400, 'invalid-request', `${name}: must be an integer >= 0`);
  return value;
}
