import { randomUUID } from 'node:crypto';
import { stringOption } from '../../args.ts';
import { on, openBackend } from '../../backend.ts';
import type { Command } from '../../command.ts';
import { resolveDataDir } from '../../../paths.ts';

export const demoCommand: Command = {
  usage: '[--data-dir DIR] [--json]',
  options: {},
  async run(args, io) {
    const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
    // Written by the folder's owner when one runs (the app or `regimen serve`), else in this process.
    const backend = await openBackend(args);
    try {
      const jobId = randomUUID();
      const stop = await backend.listen(
        on('job:progress', (p) => {
          if (p.jobId === jobId && p.message !== undefined && !args.values['json'])
            io.err(`  ${p.message} (${p.done}/${p.total})\n`);
        }),
      );
      const report = await backend.request('data:demo', { jobId }).finally(stop);
      if (args.values['json']) {
        io.out(JSON.stringify({ dataDir, ...report }));
      } else {
        const seconds = (ms: number): string => (ms / 1000).toFixed(2);
        io.out(
          `Demo market written to ${dataDir}: ${report.symbols.join(', ')}; ${report.bars.toLocaleString('en-US')} bars ` +
            `(generated in ${seconds(report.generateMs)} s, stored in ${seconds(report.storeMs)} s)`,
        );
      }
      return 0;
    } finally {
      await backend.close();
    }
  },
};
