import type { CommandIO } from '../../src/main/cli/command.ts';

/** A CommandIO that records what a CLI command prints, for in-process CLI tests. */
export function captureIO(): CommandIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    interactive: false,
    out: (text: string) => {
      io.stdout += text.endsWith('\n') ? text : `${text}\n`;
    },
    err: (text: string) => {
      io.stderr += text;
    },
  };
  return io;
}
