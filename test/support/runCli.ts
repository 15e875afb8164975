import { main } from '../../src/main/cli/main.ts';
import { captureIO } from './captureIO.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `regimen <args>` in-process and returns its exit code and what it printed. */
export async function runCli(args: string[], io = captureIO()): Promise<CliRun> {
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}
