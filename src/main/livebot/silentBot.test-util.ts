import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What a bot in front of which this stands does with a request to one path: answer as the bot does
 * ('answer'), pass it to the bot and never answer ('swallow': a push applied whose answer was lost),
 * accept the connection and never answer nor pass it on ('hang': a hung process), or hold it unanswered
 * until `release` passes it on ('hold': a request held up on the way, taken late).
 */
export type Silence = 'answer' | 'swallow' | 'hang' | 'hold';

/** A loopback bot that goes silent on the paths it is told to, in front of a real bot. */
export interface SilentBot {
  readonly url: string;
  /** How each path is treated from now on (paths not named are answered). */
  silence(path: string, how: Silence): void;
  /** Passes the requests held on a path to the bot (their answers go nowhere). */
  release(path: string): void;
  /** Requests received on each path so far (counted whatever is done with them). */
  received(path: string): number;
  close(): Promise<void>;
}

export async function startSilentBot(target: string): Promise<SilentBot> {
  const modes = new Map<string, Silence>();
  const counts = new Map<string, number>();
  const held = new Map<string, { incoming: IncomingMessage; body: Buffer }[]>();
  const forward = (incoming: IncomingMessage, body: Buffer, answer: ServerResponse | null): void => {
    const out = request(new URL(incoming.url ?? '/', target), {
      method: incoming.method,
      headers: incoming.headers,
    });
    out.on('response', (response) => {
      if (answer === null) {
        response.resume();
        return;
      }
      answer.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(answer);
    });
    out.on('error', () => answer?.destroy());
    out.end(body);
  };
  const server = createServer((incoming, answer) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const path = new URL(incoming.url ?? '/', 'http://x').pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const mode = modes.get(path) ?? 'answer';
      if (mode === 'hang') return;
      if (mode === 'hold') {
        held.set(path, [...(held.get(path) ?? []), { incoming, body: Buffer.concat(chunks) }]);
        return;
      }
      forward(incoming, Buffer.concat(chunks), mode === 'answer' ? answer : null);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    silence: (path, how) => modes.set(path, how),
    release: (path) => {
      for (const { incoming, body } of held.get(path) ?? []) forward(incoming, body, null);
      held.delete(path);
    },
    received: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise((resolve) => {
        // The requests it never answered hold their connections open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
