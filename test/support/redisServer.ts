/**
 * A private redis-server for a test: Debian's binary on a free loopback port in a temp dir, no
 * snapshots unless the test restarts it and needs its data back. Tests skip with a reason when the
 * binary is absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** Why the Redis tests cannot run here, or null when they can. */
export function redisMissing(): string | null {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${REDIS_SERVER} is not installed (apt-get install redis-server)`;
}

/** A loopback port free a moment ago (a test may start a client on it before its Redis). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** The server process (for its CPU time). */
  readonly process: () => ChildProcess;
  /**
   * Stops the server (SIGKILL: nothing saved) and starts an empty one on the same port, after `downMs`
   * (long enough and clients' reconnects fail first, as when Redis is down for a while), with `args` in
   * place of the first start's extra arguments when given.
   */
  restartEmpty(downMs?: number, args?: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(extraArgs: readonly string[] = [], onPort?: number): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-redis-'));
  const port = onPort ?? (await freePort());
  let child: ChildProcess;
  const launch = async (args: readonly string[]): Promise<void> => {
    child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (data: Buffer) => {
        out += data.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
    });
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await launch(extraArgs);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: () => child,
    restartEmpty: async (downMs = 0, args = extraArgs) => {
      await kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch(args);
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
