/**
 * A tear sheet as one self-contained HTML page: inline CSS and SVG charts, no script and no external
 * resource, so the file opens offline in any browser and prints as it shows. The app shows the same
 * page in a frame and downloads it; the CLI writes it with `--out FILE.html`.
 *
 * Every metric's row carries its one-line explanation from the metric catalogue as a hover title.
 */
import {
  formatDurationIn,
  formatProbability,
  METRIC_DEFINITIONS,
  type MetricDefinition,
} from '../core/metrics/definitions.ts';
import type { TearSheetPayload } from './backtestContract.ts';
import type { CostStressRow } from './costs.ts';

export interface TearSheetDocument {
  readonly title: string;
  /** One line under the title: strategy, parameters, data, costs. */
  readonly subtitle: string;
  /** What the reader must know before the figures (an account wiped out: shared/wipedOutText.ts). */
  readonly notice?: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly sheet: TearSheetPayload;
  readonly costStress?: readonly CostStressRow[];
}

const WIDTH = 860;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const STRATEGY = '#2f6fdf';
const BENCHMARK = '#9a9a9a';
const LOSS = '#d0453f';
const GAIN = '#2e9a55';

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const percent = (v: number | null, digits = 2): string =>
  v === null ? '—' : `${(v * 100).toFixed(digits)}%`;
const fixed = (v: number | null, digits = 2): string => (v === null ? '—' : v.toFixed(digits));

function metricText(definition: MetricDefinition | undefined, value: number | null): string {
  if (value === null) return '—';
  switch (definition?.format) {
    case 'percent':
      return percent(value);
    case 'signedPercent':
      return `${value > 0 ? '+' : ''}${percent(value)}`;
    case 'probability':
      return formatProbability(value);
    case 'count':
      return value.toFixed(0);
    case 'money':
      return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
    case 'duration':
      return formatDurationIn(value, definition.unit);
    default:
      return value.toFixed(3);
  }
}

/**
 * The points a chart draws: every one up to `points`, else per bucket of consecutive points its first and
 * each line's lowest and highest (and the last point), so the charts stay light for long runs and still
 * reach the trough and the peak the tables print (an evenly spaced sample stepped over GOOG's deepest
 * drawdown day: the chart read -55.1 % beside the table's -55.79 %).
 */
function sampleIndices(n: number, lines: readonly Line[], points = 900): number[] {
  if (n <= points) return Array.from({ length: n }, (_, i) => i);
  const kept = new Set<number>([n - 1]);
  for (let b = 0; b < points; b++) {
    const from = Math.floor((b * n) / points);
    const to = Math.floor(((b + 1) * n) / points);
    kept.add(from);
    for (const { values } of lines) {
      let low = -1;
      let high = -1;
      for (let i = from; i < to; i++) {
        const v = values[i];
        if (v === null || v === undefined) continue;
        if (low < 0 || v < values[low]!) low = i;
        if (high < 0 || v > values[high]!) high = i;
      }
      if (low >= 0) kept.add(low).add(high);
    }
  }
  return [...kept].sort((a, b) => a - b);
}

interface Line {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
}

/** An SVG line chart over time, with a zero (or one) baseline, min/max labels and a legend. */
function lineChart(
  time: readonly number[],
  lines: readonly Line[],
  options: { height?: number; format: (v: number) => string; baseline?: number; fill?: boolean },
): string {
  const height = options.height ?? 220;
  const pad = { left: 64, right: 12, top: 18, bottom: 22 };
  const indices = sampleIndices(time.length, lines);
  let min = Infinity;
  let max = -Infinity;
  for (const line of lines)
    for (const i of indices) {
      const v = line.values[i];
      if (v === null || v === undefined) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  if (options.baseline !== undefined) {
    min = Math.min(min, options.baseline);
    max = Math.max(max, options.baseline);
  }
  if (!(max > min)) {
    min = (Number.isFinite(min) ? min : 0) - 1;
    max = min + 2;
  }
  const t0 = time[0] ?? 0;
  const t1 = time[time.length - 1] ?? 1;
  const x = (t: number) => pad.left + ((t - t0) / Math.max(1, t1 - t0)) * (WIDTH - pad.left - pad.right);
  const y = (v: number) => pad.top + ((max - v) / (max - min)) * (height - pad.top - pad.bottom);
  const paths = lines.map((line) => {
    let d = '';
    let pen = false;
    for (const i of indices) {
      const v = line.values[i];
      if (v === null || v === undefined) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(time[i]!).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    const area =
      options.fill && d !== ''
        ? `<path d="${d}L${x(t1).toFixed(1)},${y(0).toFixed(1)}L${x(t0).toFixed(1)},${y(0).toFixed(1)}Z" fill="${line.color}" opacity="0.25"/>`
        : '';
    return `${area}<path d="${d}" fill="none" stroke="${line.color}" stroke-width="1.4"/>`;
  });
  const base =
    options.baseline === undefined
      ? ''
      : `<line x1="${pad.left}" x2="${WIDTH - pad.right}" y1="${y(options.baseline).toFixed(1)}" y2="${y(options.baseline).toFixed(1)}" stroke="#bbb" stroke-dasharray="3 3"/>`;
  const legend = lines
    .map(
      (line, k) =>
        `<text x="${pad.left + 8 + k * 220}" y="12" fill="${line.color}">■ ${escape(line.label)}</text>`,
    )
    .join('');
  return (
    `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img">` +
    `<text x="${pad.left - 6}" y="${y(max) + 4}" text-anchor="end">${escape(options.format(max))}</text>` +
    `<text x="${pad.left - 6}" y="${y(min)}" text-anchor="end">${escape(options.format(min))}</text>` +
    `<text x="${pad.left}" y="${height - 4}">${date(t0)}</text>` +
    `<text x="${WIDTH - pad.right}" y="${height - 4}" text-anchor="end">${date(t1)}</text>` +
    base +
    paths.join('') +
    legend +
    '</svg>'
  );
}

/** Vertical bars (yearly returns, the return histogram), labelled under each bar when few enough. */
function barChart(
  bars: readonly { label: string; value: number; title: string }[],
  format: (v: number) => string,
  colorOf: (v: number) => string,
): string {
  const height = 200;
  const pad = { left: 64, right: 12, top: 12, bottom: 24 };
  const max = Math.max(0, ...bars.map((b) => b.value));
  const min = Math.min(0, ...bars.map((b) => b.value));
  const span = max - min || 1;
  const y = (v: number) => pad.top + ((max - v) / span) * (height - pad.top - pad.bottom);
  const slot = (WIDTH - pad.left - pad.right) / Math.max(1, bars.length);
  const labelEvery = Math.max(1, Math.ceil(bars.length / 16));
  const rects = bars.map((b, k) => {
    const top = y(Math.max(0, b.value));
    const h = Math.max(0.5, Math.abs(y(b.value) - y(0)));
    const xk = pad.left + k * slot;
    const label =
      k % labelEvery === 0
        ? `<text x="${(xk + slot / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">${escape(b.label)}</text>`
        : '';
    return `<rect x="${(xk + slot * 0.1).toFixed(1)}" y="${top.toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${colorOf(b.value)}"><title>${escape(b.title)}</title></rect>${label}`;
  });
  return (
    `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img">` +
    `<text x="${pad.left - 6}" y="${y(max) + 4}" text-anchor="end">${escape(format(max))}</text>` +
    `<text x="${pad.left - 6}" y="${y(min)}" text-anchor="end">${escape(format(min))}</text>` +
    `<line x1="${pad.left}" x2="${WIDTH - pad.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#bbb"/>` +
    rects.join('') +
    '</svg>'
  );
}

/** Monthly returns are shaded in this many steps per sign (the deepest at ±10 % and beyond). */
const HEAT_STEPS = 10;

/**
 * The class of a cell's shade for a monthly return: red for losses, green for gains, deeper with size.
 * Classes, not style attributes: the page is shown in the app's frame, whose content security policy
 * admits the page's one stylesheet by its hash (TEAR_SHEET_STYLE_HASH) but no inline style.
 */
function heat(value: number | null): string {
  if (value === null) return '';
  const step = Math.round(Math.min(1, Math.abs(value) / 0.1) * HEAT_STEPS);
  return `${value < 0 ? 'hn' : 'hp'}${step}`;
}

/** The shades' rules: white at step 0, the full red or green at HEAT_STEPS. */
function heatStyle(): string {
  const rules: string[] = [];
  for (const [name, rgb] of [
    ['hn', [208, 69, 63]],
    ['hp', [46, 154, 85]],
  ] as const)
    for (let step = 0; step <= HEAT_STEPS; step++) {
      const mix = (c: number) => Math.round(255 + ((c - 255) * step) / HEAT_STEPS);
      rules.push(`.${name}${step}{background:rgb(${mix(rgb[0])},${mix(rgb[1])},${mix(rgb[2])})}`);
    }
  return rules.join('');
}

function monthlyTable(sheet: TearSheetPayload): string {
  const years = [...new Set(sheet.monthly.map((m) => m.year))];
  const yearly = new Map(sheet.yearly.map((y) => [y.year, y.value]));
  const rows = years.map((year) => {
    const cells = MONTHS.map((_, k) => {
      const m = sheet.monthly.find((row) => row.year === year && row.month === k + 1);
      const v = m?.value ?? null;
      return `<td class="${heat(v)}" title="${MONTHS[k]} ${year}: ${percent(v)}">${m === undefined ? '' : percent(v, 1)}</td>`;
    });
    const total = yearly.get(year) ?? null;
    return `<tr><th>${year}</th>${cells.join('')}<td class="total ${heat(total)}">${percent(total, 1)}</td></tr>`;
  });
  return `<table class="heatmap" data-testid="monthly-heatmap"><thead><tr><th></th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}<th>Year</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metricsTable(metrics: Readonly<Record<string, number | null>>): string {
  const definitions = METRIC_DEFINITIONS as Readonly<Record<string, MetricDefinition | undefined>>;
  const rows = Object.entries(metrics).map(([key, value]) => {
    const definition = definitions[key];
    const label = definition?.label ?? key;
    const tip = definition?.description ?? '';
    return `<tr title="${escape(tip)}"><th>${escape(label)}</th><td>${escape(metricText(definition, value))}</td></tr>`;
  });
  return `<table class="kv" data-testid="tear-metrics">${rows.join('')}</table>`;
}

function stressTable(rows: readonly CostStressRow[]): string {
  return (
    '<table class="kv"><thead><tr><th title="More cost on every fill, on top of the run\'s own costs">Extra cost</th><th>Final equity</th><th>Total return</th><th>Sharpe</th><th>Max drawdown</th></tr></thead><tbody>' +
    rows
      .map(
        (r) =>
          `<tr><th>+${r.bps} bp</th><td>${r.finalEquity === null ? '—' : r.finalEquity.toLocaleString('en-US', { maximumFractionDigits: 2 })}</td><td>${percent(r.totalReturn)}</td><td>${fixed(r.sharpeRatio)}</td><td>${percent(r.maxDrawdown)}</td></tr>`,
      )
      .join('') +
    '</tbody></table>'
  );
}

function drawdownTable(sheet: TearSheetPayload): string {
  if (sheet.drawdowns.length === 0) return '<p>No drawdown.</p>';
  return (
    '<table class="kv" data-testid="worst-drawdowns"><thead><tr><th>#</th><th>Start</th><th>Trough</th><th>Recovery</th><th>Depth</th><th title="Calendar days from the first to the last day below the peak, both counted">Length (days)</th></tr></thead><tbody>' +
    sheet.drawdowns
      .map(
        (d, k) =>
          `<tr><td>${k + 1}</td><td>${date(d.start)}</td><td>${date(d.trough)}</td><td>${d.recovery === null ? 'not recovered' : date(d.recovery)}</td><td>${percent(d.depth)}</td><td>${d.days}</td></tr>`,
      )
      .join('') +
    '</tbody></table>'
  );
}

/**
 * The page's one stylesheet. Its hash is in the app's content security policy (TEAR_SHEET_STYLE_HASH, kept
 * equal by tearSheetHtml.test.ts): the frame that shows the page inherits that policy.
 */
export const TEAR_SHEET_STYLE = `body{font:13px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;margin:24px auto;max-width:${WIDTH + 40}px;padding:0 20px}
h1{font-size:20px;margin:0}h2{font-size:15px;margin:26px 0 6px;border-bottom:1px solid #ddd;padding-bottom:3px}
.sub{color:#666;margin:4px 0 12px}svg text{font-size:11px;fill:#555}
table{border-collapse:collapse}.kv th,.kv td{padding:2px 10px 2px 0;text-align:left}.kv td{font-variant-numeric:tabular-nums}
.kv tr[title]:hover{background:#f3f6fb;cursor:help}.grid{display:grid;grid-template-columns:1fr 1fr;gap:24px}
.heatmap td,.heatmap th{padding:3px 5px;text-align:right;font-size:11px;font-variant-numeric:tabular-nums}.heatmap .total{font-weight:600}
.note{color:#777;font-size:11px}${heatStyle()}`;

/** `'sha256-…'` of TEAR_SHEET_STYLE, as a CSP style-src source. */
export const TEAR_SHEET_STYLE_HASH = "'sha256-EAqre3IiiNGWloCv1umE2KhKEHULH0seMV5gpDAfOzc='";

/** The whole page. */
export function tearSheetHtml(doc: TearSheetDocument): string {
  const { sheet } = doc;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const growth = lineChart(
    sheet.time,
    [
      {
        label: 'Strategy',
        color: STRATEGY,
        values: sheet.cumulative.map((v) => (v === null ? null : v - 1)),
      },
      ...(sheet.benchmarkCumulative === null
        ? []
        : [
            {
              label: sheet.benchmark ?? 'Benchmark',
              color: BENCHMARK,
              values: sheet.benchmarkCumulative.map((v) => (v === null ? null : v - 1)),
            },
          ]),
    ],
    { format: pct, baseline: 0 },
  );
  const drawdown = lineChart(sheet.time, [{ label: 'Drawdown', color: LOSS, values: sheet.drawdown }], {
    height: 160,
    format: pct,
    baseline: 0,
    fill: true,
  });
  const rolling = (
    label: string,
    values: readonly (number | null)[],
    format: (v: number) => string,
    baseline?: number,
  ) =>
    lineChart(sheet.time, [{ label: `${label} (${sheet.rollingWindow} days)`, color: STRATEGY, values }], {
      height: 160,
      format,
      ...(baseline === undefined ? {} : { baseline }),
    });
  const yearly = barChart(
    sheet.yearly.map((y) => ({
      label: String(y.year),
      value: y.value ?? 0,
      title: `${y.year}: ${percent(y.value)}${y.benchmark === null ? '' : ` (benchmark ${percent(y.benchmark)})`}`,
    })),
    pct,
    (v) => (v < 0 ? LOSS : GAIN),
  );
  const dist = sheet.distribution;
  const histogram = barChart(
    dist.counts.map((count, k) => {
      const from = dist.edges[k] ?? 0;
      const to = dist.edges[k + 1] ?? 0;
      return {
        label: percent(from, 1),
        value: count,
        title: `${percent(from)} to ${percent(to)}: ${count} days`,
      };
    }),
    (v) => v.toFixed(0),
    () => STRATEGY,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(doc.title)}</title><style>${TEAR_SHEET_STYLE}</style></head>
<body data-testid="tear-sheet">
<h1>${escape(doc.title)}</h1><p class="sub">${escape(doc.subtitle)}</p>
${doc.notice === undefined ? '' : `<p data-testid="tear-sheet-notice"><strong>${escape(doc.notice)}</strong></p>`}
<h2>Cumulative return${sheet.benchmark === null ? '' : ` against ${escape(sheet.benchmark)}`}</h2>${growth}
<h2>Drawdown</h2>${drawdown}
<div class="grid"><div><h2>Metrics</h2>${metricsTable(doc.metrics)}<p class="note">Hover a metric for its definition.</p></div>
<div>${doc.costStress === undefined || doc.costStress.length === 0 ? '' : `<h2>Cost stress</h2>${stressTable(doc.costStress)}`}
<h2>Worst drawdowns</h2>${drawdownTable(sheet)}</div></div>
<h2>Monthly returns</h2>${monthlyTable(sheet)}
<h2>Yearly returns</h2>${yearly}
<h2>Rolling Sharpe ratio</h2>${rolling('Sharpe', sheet.rollingSharpe, (v) => v.toFixed(2), 0)}
<h2>Rolling volatility</h2>${rolling('Volatility', sheet.rollingVolatility, pct)}
<h2>Distribution of daily returns</h2>${histogram}
<p class="note">Mean ${percent(dist.mean, 3)} · standard deviation ${percent(dist.std, 3)} · skew ${fixed(dist.skew)} · excess kurtosis ${fixed(dist.kurtosis)}. Definitions after QuantStats: daily returns compounded by month and year; rolling figures over ${sheet.rollingWindow} days annualized by √252; drawdowns from the running peak of compounded returns.</p>
</body></html>
`;
}
