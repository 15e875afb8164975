/**
 * The compare set from the CLI, through the same requests as the app's Compare tab (the owner's when one
 * holds the data folder): pins are kept by the owner and derived again on every read, so `show` prints
 * what the app shows, each metric marked better or worse than the reference pin by its direction.
 */
import { METRIC_KEYS, metricDefinition } from '../../../../core/metrics/definitions.ts';
import { formatMetricDelta, metricDifference } from '../../../../shared/metricDifference.ts';
import type { ComparedPin, PinSource, PinSourceRequest } from '../../../../shared/compareContract.ts';
import { RequestError } from '../../../../shared/errors.ts';
import {
  keyValueNumbers,
  listOption,
  numberOption,
  stringOption,
  timeRangeOptions,
  UsageError,
} from '../../args.ts';
import { withDefaults } from '../../../../core/strategy/index.ts';
import { getStrategyOrThrow } from '../../../services/backtest/strategyCatalog.ts';
import { openBackend, type Backend } from '../../backend.ts';
import type { Command } from '../../command.ts';
import { formatMetric, metricLabel, table, toJson } from '../../format.ts';
import { OUT_OPTIONS, outTarget, writeOut } from '../../outFile.ts';
import {
  COMMISSION_HELP,
  COST_OPTIONS,
  COST_USAGE,
  costRequestFrom,
  riskFreePercentFrom,
} from '../backtest/backtest.ts';
import { comparisonCsv, type ComparedCell } from '../../../../shared/exportCsv.ts';

async function withBackend<T>(
  args: Parameters<Command['run']>[0],
  work: (backend: Backend) => Promise<T>,
): Promise<T> {
  const backend = await openBackend(args);
  try {
    return await work(backend);
  } catch (error) {
    // The services name the field ("source.trial: ..."): a caller's mistake, said as it is (exit 2).
    if (
      error instanceof RequestError &&
      (error.kind === 'invalid' || error.kind === 'not-found' || error.kind === 'conflict')
    )
      throw new UsageError(error.message);
    throw error;
  } finally {
    await backend.close();
  }
}

function sourceText(source: PinSource): string {
  switch (source.kind) {
    case 'trial':
      return `trial ${source.trial} of study ${source.studyId}`;
    case 'walkforward':
      return `walk-forward run ${source.runId}`;
    default:
      return `backtest ${source.request.strategy} ${source.request.symbol} ${source.request.timeframe}`;
  }
}

export const compareListCommand: Command = {
  usage: '[--data-dir DIR] [--json]',
  options: {},
  run: (args, io) =>
    withBackend(args, async (backend) => {
      const pins = await backend.request('compare:list', {});
      if (args.values['json'] === true) io.out(toJson(pins));
      else if (pins.length === 0) io.out('The compare set is empty: `regimen compare add` pins to it.');
      else
        io.out(
          table(
            [
              ['id', 'label', 'source', 'state'],
              ...pins.map((pin) => [
                pin.id,
                pin.label,
                sourceText(pin.source),
                pin.result.ok ? 'ok' : pin.result.error,
              ]),
            ],
            true,
          ),
        );
      return 0;
    }),
};

export const compareAddCommand: Command = {
  usage:
    '(--study ID --trial N | --walk-forward RUN_ID | --symbol SYM --strategy NAME [--timeframe 1h]\n' +
    '        [--param name=value ...] [--cash 10000] [--start ISO] [--end ISO]\n' +
    `        ${COST_USAGE}\n` +
    '        [--risk-free PCT] [--close-at-end]) [--label TEXT] [--data-dir DIR] [--json]\n' +
    '  --walk-forward RUN_ID: a walk-forward run on the cache (its id is printed by `regimen walk-forward`),\n' +
    '        one symbol or several: its stitched out-of-sample equity and metrics (several: combined, and metric@SYM)\n' +
    "  a backtest pin takes `regimen backtest`'s cost flags, so it pays what the run it is compared with paid" +
    COMMISSION_HELP,
  options: {
    'walk-forward': { type: 'string' },
    study: { type: 'string' },
    trial: { type: 'string' },
    symbol: { type: 'string' },
    strategy: { type: 'string' },
    timeframe: { type: 'string' },
    param: { type: 'string', multiple: true },
    cash: { type: 'string' },
    ...COST_OPTIONS,
    'risk-free': { type: 'string' },
    'close-at-end': { type: 'boolean' },
    start: { type: 'string' },
    end: { type: 'string' },
    label: { type: 'string' },
  },
  run: async (args, io) => {
    const studyId = stringOption(args, 'study');
    const symbol = stringOption(args, 'symbol');
    const runId = stringOption(args, 'walk-forward');
    if ([studyId, symbol, runId].filter((given) => given !== undefined).length !== 1)
      throw new UsageError(
        'give one of --study ID --trial N, --walk-forward RUN_ID or --symbol SYM --strategy NAME',
      );
    const backtestFlags = [
      'strategy',
      'timeframe',
      'param',
      'cash',
      ...Object.keys(COST_OPTIONS),
      'risk-free',
      'close-at-end',
      'start',
      'end',
    ];
    // The settings' cash and costs fill their flags for a backtest pin; a trial or a run keeps its own,
    // so only a flag the trader typed is refused with them.
    const given = (flag: string): boolean =>
      args.values[flag] !== undefined && args.fromSettings?.has(flag) !== true;
    let source: unknown;
    if (runId !== undefined) {
      const used = [...backtestFlags, 'trial'].filter(given);
      if (used.length > 0) throw new UsageError(`--${used[0]} does not go with --walk-forward`);
      source = { kind: 'walkforward', runId };
    } else if (studyId !== undefined) {
      const used = backtestFlags.filter(given);
      if (used.length > 0) throw new UsageError(`--${used[0]} describes a backtest, not a study's trial`);
      const trial = numberOption(args, 'trial', NaN);
      if (!Number.isInteger(trial) || trial < 0)
        throw new UsageError('--trial must be a trial number (0, 1, ...) of the study');
      source = { kind: 'trial', studyId, trial };
    } else {
      if (args.values['trial'] !== undefined) throw new UsageError('--trial goes with --study');
      const strategy = stringOption(args, 'strategy');
      if (strategy === undefined) throw new UsageError('--strategy is required for a backtest pin');
      const { start, end } = timeRangeOptions(args);
      // Read as `regimen backtest` reads them (the settings' costs fill what is not typed), so the pin
      // is that run, costs and all.
      const costs = costRequestFrom(args, io);
      const riskFree = args.values['risk-free'] === undefined ? undefined : riskFreePercentFrom(args);
      source = {
        kind: 'backtest',
        request: {
          symbol,
          timeframe: stringOption(args, 'timeframe') ?? '1h',
          strategy,
          // The parameters not given at their defaults, as `regimen backtest` runs them: the pin is that run.
          params: withDefaults(
            getStrategyOrThrow(strategy),
            keyValueNumbers(listOption(args, 'param'), 'param'),
          ),
          ...(args.values['cash'] === undefined ? {} : { cash: numberOption(args, 'cash', NaN) }),
          commission: costs.commissionRate,
          ...(costs.settings === undefined || Object.keys(costs.settings).length === 0
            ? {}
            : { costs: costs.settings }),
          ...(costs.extraBps === undefined || costs.extraBps === 0 ? {} : { slippageBps: costs.extraBps }),
          ...(riskFree === undefined ? {} : { riskFreePercent: riskFree }),
          closeAtEnd: args.values['close-at-end'] === true,
          ...(start === undefined ? {} : { start }),
          ...(end === undefined ? {} : { end }),
        },
      };
    }
    const label = stringOption(args, 'label');
    return withBackend(args, async (backend) => {
      const pin = await backend.request('compare:pin', {
        source: source as PinSourceRequest,
        ...(label === undefined ? {} : { label }),
      });
      if (args.values['json'] === true) io.out(toJson(pin));
      else io.out(`Pinned ${pin.id}: ${pin.label}`);
      return 0;
    });
  },
};

export const compareRemoveCommand: Command = {
  usage: '(PIN_ID | --all) [--data-dir DIR] [--json]',
  options: { all: { type: 'boolean' } },
  allowPositionals: true,
  run: async (args, io) => {
    const all = args.values['all'] === true;
    const [pinId, ...extra] = args.positionals;
    if (extra.length > 0 || all === (pinId !== undefined))
      throw new UsageError('give one PIN_ID (see regimen compare list) or --all');
    return withBackend(args, async (backend) => {
      const answer =
        pinId === undefined
          ? await backend.request('compare:clear', {})
          : await backend.request('compare:unpin', { pinId });
      if (args.values['json'] === true) io.out(toJson(answer));
      else io.out('pinId' in answer ? `Unpinned ${answer.pinId}.` : `Unpinned ${answer.removed} pins.`);
      return 0;
    });
  },
};

/** The rows `show` prints: the catalogue's metrics in its order, then any others by name. */
function metricKeys(pins: readonly ComparedPin[]): string[] {
  const present = new Set(pins.flatMap((pin) => (pin.result.ok ? Object.keys(pin.result.metrics) : [])));
  const known = METRIC_KEYS.filter((key) => present.has(key));
  const others = [...present].filter((key) => metricDefinition(key) === undefined).sort();
  return [...known, ...others];
}

/**
 * One pin's value of `key` against the reference's: the value, and ▲/▼ with the difference when it
 * differs (in percentage points for a percentage metric).
 */
function cell(key: string, value: number | null | undefined, reference: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a';
  const { delta, verdict } = metricDifference(key, value, reference);
  if (verdict === '' || delta === null) return formatMetric(key, value);
  return `${formatMetric(key, value)} ${verdict === 'better' ? '▲' : '▼'} ${formatMetricDelta(key, delta, formatMetric)}`;
}

export const compareShowCommand: Command = {
  usage:
    '[--reference PIN_ID] [--out FILE.csv [--overwrite]] [--data-dir DIR] [--json]\n' +
    '        the reference is the first pin unless named; ▲ marks a better value than its, ▼ a worse one',
  options: { reference: { type: 'string' }, ...OUT_OPTIONS },
  run: async (args, io) => {
    const out = outTarget(args, ['csv']);
    return withBackend(args, async (backend) => {
      const pins = await backend.request('compare:list', {});
      if (pins.length === 0) throw new UsageError('the compare set is empty: regimen compare add pins to it');
      const referenceId = stringOption(args, 'reference') ?? pins[0]!.id;
      const reference = pins.find((pin) => pin.id === referenceId);
      if (reference === undefined)
        throw new UsageError(`--reference ${referenceId}: no such pin (see regimen compare list)`);
      const referenceMetrics = reference.result.ok ? reference.result.metrics : {};
      const keys = metricKeys(pins);
      const rows = keys.map((key) => ({
        metric: key,
        values: pins.map((pin): ComparedCell => {
          const value = pin.result.ok ? (pin.result.metrics[key] ?? null) : null;
          if (pin === reference) return { value, delta: null, verdict: '' };
          return { value, ...metricDifference(key, value, referenceMetrics[key]) };
        }),
      }));
      if (out !== null) {
        await writeOut(
          out,
          comparisonCsv(
            pins.map((pin) => pin.label),
            rows,
          ),
        );
        io.err(`wrote the comparison to ${out.path}\n`);
      }
      if (args.values['json'] === true) {
        io.out(
          toJson({
            reference: reference.id,
            pins: pins.map(({ id, label, result }) => ({
              id,
              label,
              ok: result.ok,
              ...(result.ok ? { notes: result.notes } : { error: result.error }),
            })),
            rows,
          }),
        );
        return 0;
      }
      io.out(
        table([
          ['metric', ...pins.map((pin) => (pin === reference ? `${pin.label} (reference)` : pin.label))],
          ...keys.map((key) => [
            metricLabel(key),
            ...pins.map((pin) =>
              pin.result.ok
                ? cell(key, pin.result.metrics[key], pin === reference ? undefined : referenceMetrics[key])
                : '-',
            ),
          ]),
        ]),
      );
      for (const pin of pins) {
        if (!pin.result.ok) io.out(`${pin.label}: ${pin.result.error}`);
        else for (const note of pin.result.notes) io.out(`${pin.label}: ${note}`);
      }
      return 0;
    });
  },
};
