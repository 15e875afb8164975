import type { Bars } from '../../../../core/data/bars.ts';
import {
  adx,
  atr,
  bollinger,
  ema,
  macd,
  mfi,
  obv,
  rollingVolatility,
  rsi,
  sma,
  volumeRatio,
} from '../../../../core/indicators/index.ts';
import { listOption, UsageError } from '../../args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource } from '../../barsSource.ts';
import type { Command } from '../../command.ts';
import { toJson } from '../../format.ts';

type Output = Float64Array | Record<string, Float64Array>;

interface IndicatorSpec {
  /** Parameter names, in the order they are written after the colon. */
  readonly params: readonly string[];
  readonly compute: (bars: Bars, p: readonly number[]) => Output;
}

const out = (bars: Bars): Float64Array => new Float64Array(bars.t.length);

/** Every indicator the CLI computes, by the name used in `--indicator name:p1,p2`. */
const INDICATORS: Record<string, IndicatorSpec> = {
  sma: { params: ['period'], compute: (b, [n]) => sma(b.c, n!, out(b)) },
  ema: { params: ['period'], compute: (b, [n]) => ema(b.c, n!, out(b)) },
  rsi: { params: ['period'], compute: (b, [n]) => rsi(b.c, n!, out(b)) },
  atr: { params: ['period'], compute: (b, [n]) => atr(b.h, b.l, b.c, n!, out(b)) },
  adx: { params: ['period'], compute: (b, [n]) => adx(b.h, b.l, b.c, n!, out(b)) },
  mfi: { params: ['period'], compute: (b, [n]) => mfi(b.h, b.l, b.c, b.v, n!, out(b)) },
  obv: { params: [], compute: (b) => obv(b.c, b.v, out(b)) },
  volume_ratio: { params: ['period'], compute: (b, [n]) => volumeRatio(b.v, n!, out(b)) },
  volatility: { params: ['period'], compute: (b, [n]) => rollingVolatility(b.c, n!, out(b)) },
  macd: {
    params: ['fast', 'slow', 'signal'],
    compute: (b, [fast, slow, signal]) => {
      const result = { macd: out(b), signal: out(b), histogram: out(b) };
      macd(b.c, fast!, slow!, signal!, result.macd, result.signal, result.histogram);
      return result;
    },
  },
  bbands: {
    params: ['period', 'k'],
    compute: (b, [period, k]) => {
      const result = { upper: out(b), middle: out(b), lower: out(b) };
      bollinger(b.c, period!, k!, result.upper, result.middle, result.lower);
      return result;
    },
  },
};

function parseIndicator(text: string): { name: string; spec: IndicatorSpec; params: number[] } {
  const [name = '', rawParams = ''] = text.split(':');
  const spec = INDICATORS[name.toLowerCase()];
  if (!spec)
    throw new UsageError(`unknown indicator "${name}"; use one of ${Object.keys(INDICATORS).join(', ')}`);
  const params = rawParams === '' ? [] : rawParams.split(',').map(Number);
  if (params.length !== spec.params.length || params.some((p) => !Number.isFinite(p))) {
    throw new UsageError(
      `--indicator ${text}: ${name} takes ${spec.params.length ? spec.params.join(',') : 'no parameters'}` +
        (spec.params.length ? ` (e.g. ${name}:${spec.params.map(() => '14').join(',')})` : ''),
    );
  }
  return { name: name.toLowerCase(), spec, params };
}

/** Arrays as long as the input, null during warm-up (NaN has no JSON spelling). */
const toList = (values: Float64Array): (number | null)[] =>
  Array.from(values, (v) => (Number.isNaN(v) ? null : v));

export const indicatorsCommand: Command = {
  usage:
    '(--csv FILE | --symbol SYM [--session regular|extended]) [--timeframe TF] [--start ISO] [--end ISO]\n' +
    '        --indicator NAME[:P1,P2...] [--indicator ...] [--json]\n' +
    `        indicators: ${Object.entries(INDICATORS)
      .map(([name, spec]) => (spec.params.length ? `${name}:${spec.params.join(',')}` : name))
      .join(' ')}`,
  options: { ...BARS_SOURCE_OPTIONS, indicator: { type: 'string', multiple: true } },
  async run(args, io) {
    const requests = listOption(args, 'indicator').map(parseIndicator);
    if (requests.length === 0) throw new UsageError('give at least one --indicator');
    const source = await loadBarsSource(args, io);
    const results = requests.map(({ name, spec, params }) => {
      const output = spec.compute(source.bars, params);
      const values =
        output instanceof Float64Array
          ? toList(output)
          : Object.fromEntries(Object.entries(output).map(([key, line]) => [key, toList(line)]));
      return { indicator: name, params, values };
    });
    if (args.values['json']) {
      io.out(toJson({ t: Array.from(source.bars.t), indicators: results }));
      return 0;
    }
    const last = source.bars.t.length - 1;
    io.out(`Last bar of ${source.label} (${new Date(source.bars.t[last]!).toISOString()}):`);
    for (const { indicator, params, values } of results) {
      const latest = Array.isArray(values)
        ? String(values[last])
        : Object.entries(values)
            .map(([key, line]) => `${key}=${line[last]}`)
            .join(' ');
      io.out(`  ${indicator}${params.length ? `:${params.join(',')}` : ''}  ${latest}`);
    }
    return 0;
  },
};
