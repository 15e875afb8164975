import { stringOption } from '../../args.ts';
import { openDatabaseHere } from '../../backend.ts';
import type { Command } from '../../command.ts';
import { resolveDataDir } from '../../../paths.ts';
import { writeDemoMarket } from '../../../services/demoMarket.ts';
import { BarsRepository } from '../../../store/barsRepository.ts';

export const demoCommand: Command = {
  usage: '[--data-dir DIR] [--json]',
  options: {},
  async run(args, io) {
    const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
    const db = await openDatabaseHere(args, 'demo');
    try {
      const report = await writeDemoMarket(new BarsRepository(db), (symbol, index, total) => {
        if (!args.values['json']) io.err(`  ${symbol} (${index}/${total})\n`);
      });
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
      db.close();
    }
  },
};
