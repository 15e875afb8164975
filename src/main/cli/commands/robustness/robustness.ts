import { blockBootstrap, shuffleTrades, type RobustnessResult } from '../../../../core/robustness/index.ts';
import { numberOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { openBackend } from '../../backend.ts';
import { CSV_OPTION, csvFile, requiredCsvFile } from '../../barsSource.ts';
import type { Command, CommandIO } from '../../command.ts';
import { readNumericColumn } from '../../csvColumn.ts';
import { drawdownOddsLabel, drawdownTailNote } from '../../../../shared/robustnessText.ts';
import { formatCount, formatMetric, metricLabel, table, toJson } from '../../format.ts';

/** Each resample keeps a whole path of n + 1 equities for the pointwise bands, so this bounds memory. */
const MAX_RESAMPLES = 100_000;

/** The flag that sets each option the core checks, so its refusals name what the user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  resamples: '--resamples',
  seed: '--seed',
  drawdownDepth: '--depth',
  ruinFloor: '--ruin',
  blockLength: '--block',
  periodReturns: '--column',
  tradeReturns: '--trades-column',
};

function optionalNumber(args: ParsedArgs, name: string): number | undefined {
  return stringOption(args, name) === undefined ? undefined : numberOption(args, name, Number.NaN);
}

/** Period returns from consecutive equity values (each checked positive by the reader). */
function periodReturns(equity: Float64Array): Float64Array {
  const returns = new Float64Array(equity.length - 1);
  for (let i = 1; i < equity.length; i++) returns[i - 1] = equity[i]! / equity[i - 1]! - 1;
  return returns;
}

const percent = (value: number): string => `${(value * 100).toFixed(2)}%`;

/** `--study ID --neighbourhood`: the winner's results one grid step down and up in each parameter. */
async function neighbourhoodOf(args: ParsedArgs, io: CommandIO, studyId: string): Promise<number> {
  const backend = await openBackend(args);
  try {
    const result = await backend.request('optimize:neighbourhood', { studyId });
    if (args.values['json']) {
      io.out(toJson(result));
      return 0;
    }
    if (result.winner === null) {
      io.out(`Study ${studyId}: ${result.note ?? 'no winner'}`);
      return 0;
    }
    const { objectives } = (await backend.request('optimize:get', { studyId, includeTrials: false })).summary;
    const cells = (values: readonly (number | null)[] | null, metrics: Record<string, number | null>) => [
      ...objectives.map((o, i) => {
        const v = values?.[i];
        return v === undefined || v === null ? 'n/a' : formatMetric(o.metric, v);
      }),
      metrics['numTrades'] === undefined || metrics['numTrades'] === null
        ? 'n/a'
        : String(metrics['numTrades']),
    ];
    const params = Object.entries(result.winner.params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    io.out(
      `Study ${studyId}: winner #${result.winner.number} ${params}, each parameter one step down and up`,
    );
    io.out(
      table([
        ['move', 'source', ...objectives.map((o) => metricLabel(o.metric)), 'trades'],
        ['winner', `trial #${result.winner.number}`, ...cells(result.winner.values, result.winner.metrics)],
        ...result.neighbours.map((n) => [
          `${n.param} ${n.direction < 0 ? '-' : '+'}1 step = ${String(n.value)}`,
          n.trialNumber === null ? 'run now' : `trial #${n.trialNumber}`,
          ...(n.status === 'complete'
            ? cells(n.values, n.metrics)
            : [`failed: ${n.error ?? n.status}`, ...objectives.map(() => '')]),
        ]),
      ]),
    );
    if (result.note !== null) io.out(result.note);
    return 0;
  } finally {
    await backend.close();
  }
}

export const robustnessCommand: Command = {
  usage:
    '--csv FILE [--column equity | --trades-column COL] [--resamples 1000] [--block B] [--depth 0.2] ' +
    '[--ruin 0.5] [--seed 1] [--json] | --study ID --neighbourhood [--data-dir DIR] [--json]',
  options: {
    study: { type: 'string' },
    neighbourhood: { type: 'boolean' },
    csv: CSV_OPTION,
    column: { type: 'string' },
    'trades-column': { type: 'string' },
    resamples: { type: 'string' },
    block: { type: 'string' },
    depth: { type: 'string' },
    ruin: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(args, io) {
    const studyId = stringOption(args, 'study');
    const near = args.values['neighbourhood'] === true;
    if (studyId !== undefined || near) {
      if (studyId === undefined || !near)
        throw new UsageError(
          '--study ID and --neighbourhood go together (the winner neighbourhood of a study)',
        );
      if (csvFile(args) !== undefined)
        throw new UsageError(
          'give --csv (Monte Carlo of a result) or --study with --neighbourhood, not both',
        );
      return neighbourhoodOf(args, io, studyId);
    }
    const file = requiredCsvFile(args);
    const tradesColumn = stringOption(args, 'trades-column');
    if (tradesColumn !== undefined && stringOption(args, 'column') !== undefined)
      throw new UsageError('give --column (an equity curve) or --trades-column (trade returns), not both');
    if (tradesColumn !== undefined && stringOption(args, 'block') !== undefined)
      throw new UsageError('--block applies to the bootstrap of an equity --column, not to --trades-column');
    const resamples = numberOption(args, 'resamples', 1000);
    if (!Number.isInteger(resamples) || resamples < 1 || resamples > MAX_RESAMPLES)
      throw new UsageError(
        `--resamples must be an integer from 1 to ${formatCount(MAX_RESAMPLES)}, got ${String(resamples)}`,
      );
    const options = {
      resamples,
      seed: numberOption(args, 'seed', 1),
      drawdownDepth: optionalNumber(args, 'depth'),
      ruinFloor: optionalNumber(args, 'ruin'),
    };
    const column = tradesColumn ?? stringOption(args, 'column') ?? 'equity';
    let method: 'trade-shuffle' | 'block-bootstrap';
    let result: RobustnessResult;
    let periods: number;
    try {
      if (tradesColumn !== undefined) {
        const trades = await readNumericColumn(file, tradesColumn, 'trades-column');
        method = 'trade-shuffle';
        periods = trades.length;
        result = shuffleTrades(trades, options);
      } else {
        const equity = await readNumericColumn(file, column, 'column', true);
        if (equity.length < 2)
          throw new UsageError(`--column ${column} needs at least two equity values, got ${equity.length}`);
        method = 'block-bootstrap';
        periods = equity.length - 1;
        result = blockBootstrap(periodReturns(equity), {
          ...options,
          blockLength: optionalNumber(args, 'block'),
        });
      }
    } catch (error) {
      // The core names its own fields (`robustness: ruinFloor must be ...`); the user typed flags, so the
      // refusal names the flag in the field's place.
      const [, field, rest] =
        /^robustness: (\w+) (.*)$/s.exec(error instanceof RangeError ? error.message : '') ?? [];
      const flag = FLAG_OF[field ?? ''];
      if (flag !== undefined) throw new UsageError(`${flag} ${rest}`);
      throw error;
    }
    const finalEquity = result.equityBands.map((band) => band[periods]!);
    const summary = {
      method,
      column,
      periods,
      resamples: result.resamples,
      seed: options.seed,
      ...(result.blockLength === undefined ? {} : { blockLength: result.blockLength }),
      percentiles: result.percentiles,
      finalEquity,
      maxDrawdown: result.maxDrawdownBands,
      drawdownDepth: result.drawdownDepth,
      probDrawdownBeyond: result.probDrawdownBeyond,
      ruinFloor: result.ruinFloor,
      probRuin: result.probRuin,
    };
    if (args.values['json']) {
      io.out(toJson(summary));
      return 0;
    }
    const how =
      method === 'trade-shuffle'
        ? `${formatCount(periods)} trades shuffled`
        : `${formatCount(periods)} period returns, block bootstrap (mean block ${result.blockLength})`;
    io.out(`${column}: ${how}, ${formatCount(result.resamples)} resamples, seed ${options.seed}`);
    io.out(
      table([
        ['percentile', 'final equity', 'max drawdown (worst)'],
        ...result.percentiles.map((p, i) => [
          `${Math.round(p * 100)}%`,
          finalEquity[i]!.toFixed(4),
          formatMetric('maxDrawdown', result.maxDrawdownBands[i]!),
        ]),
      ]),
    );
    io.out(drawdownTailNote(result.percentiles.at(-1)!));
    io.out(
      table([
        [
          drawdownOddsLabel(formatMetric('maxDrawdown', -result.drawdownDepth)),
          percent(result.probDrawdownBeyond),
        ],
        [`P(equity < ${percent(result.ruinFloor)} of start)`, percent(result.probRuin)],
      ]),
    );
    return 0;
  },
};
