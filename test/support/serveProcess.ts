/** `regimen serve` as its own process for tests of the CLI beside it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/regimen.js', import.meta.url));

export interface Server {
  readonly child: ChildProcess;
  readonly token: string;
  stop(): Promise<void>;
}

/** Starts it on `dataDir`, resolved once it prints its URL; `cleanups` gets its stop. */
export async function serve(
  dataDir: string,
  cleanups: (() => unknown)[],
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  let output = '';
  const token = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /[?#]token=(\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', () => reject(new Error(`regimen serve exited: ${output}`)));
  });
  return { child, token, stop };
}
