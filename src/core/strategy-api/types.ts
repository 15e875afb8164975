import type { Bars } from '../data/bars.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type { OrderPort } from './order-port.ts';

/**
 * Which tool's conventions a run follows where tools differ.
 * - 'regimen': a trade still open at the end is closed (with `closeAtEnd`) at the last bar's close, where
 *   equity is marked; all-in sizing uses the whole equity.
 * - 'backtesting.py': reproduces kernc/backtesting.py (see sma-cross's doc): `closeAtEnd` closes at the
 *   last bar's open, all-in sizing uses 1 - 2.22e-16 of the equity (its default `size`), and sma-cross
 *   uses its strict crossover. Only the defaults change: options given explicitly still win.
 */
export type Convention = 'regimen' | 'backtesting.py';

/**
 * The run's settings a strategy's decisions may depend on. The cost models, caps and fill rules stay
 * with whoever executes the orders.
 */
export interface StrategyOptions {
  readonly convention: Convention;
  /** Never hold a short position: a strategy skips its short entries. */
  readonly longOnly: boolean;
  /** Share of equity an all-in order commits. */
  readonly allInFraction: number;
}

/** What a strategy instance sees: the bars, the dataset's shared indicator cache and its order port. */
export interface StrategyContext {
  readonly bars: Bars;
  readonly indicators: IndicatorCache;
  readonly orders: OrderPort;
  readonly options: StrategyOptions;
}

/**
 * One strategy instance runs one backtest (or one live session). `init` fetches its indicator arrays (from
 * the cache, so trials sharing a period share the array) and returns the first bar `onBar` needs; `onBar(i)`
 * runs at bar i's close, reads arrays at indices <= i only, and submits orders through its port. `onBar`
 * must not allocate.
 */
export interface Strategy {
  init(context: StrategyContext): number;
  onBar(i: number): void;
  /**
   * Takes a new parameter set (already validated) at a bar boundary: after `onBar(i - 1)`, before bar i.
   * Decisions from bar i on use it (a regime switch, the live bot's approved update). It must not touch
   * the account: open positions keep the exits they were opened with and resting orders fill as
   * submitted. Indicator arrays the new set needs come from the context's cache; where they are still
   * warming up (NaN) the strategy simply does not trade. May allocate: it runs between bars, not per bar.
   */
  reparameterize(params: StrategyParams): void;
  /**
   * The indicator arrays this instance decides on (after `init`), as the chart draws them: its own
   * arrays, so what a trader sees is what the strategy read. May allocate (a band derived from them).
   */
  plots?(): readonly IndicatorPlot[];
}

/**
 * One indicator series of a strategy, for display. `pane` 'price' overlays the bars; any other name is a
 * pane of its own under them, shared by the plots naming it. NaN marks bars without a value (warm-up).
 */
export interface IndicatorPlot {
  readonly label: string;
  readonly pane: string;
  readonly style: 'line' | 'histogram';
  readonly values: Float64Array;
  /** Horizontal reference levels drawn in the plot's pane (an oscillator's thresholds). */
  readonly levels?: readonly number[];
}

/**
 * One tunable parameter, as data: the optimizer builds its search space and the UI its form from it.
 * `min`/`max` are the default search range: they bound a search, not a run. `limits` are what any run
 * accepts (a 50/200 crossover is a valid backtest though the default search stops below it).
 */
export interface ParamSpec {
  readonly name: string;
  readonly type: 'int' | 'float';
  readonly min: number;
  readonly max: number;
  readonly limits: { readonly min: number; readonly max: number };
  /** Grid step (and the UI's increment); ints must also be integers. */
  readonly step: number;
  readonly default: number;
  readonly description: string;
  /**
   * Values between two settings mean something in between (a threshold, a width, a risk share), so a
   * live ramp may move it step by step from the old set's value to the new one's. Not a period: every
   * step would be another indicator with its own warm-up.
   */
  readonly interpolable?: boolean;
}

/** A relation between two parameters that valid parameter sets satisfy: `left` < `right`. */
export interface ParamConstraint {
  readonly kind: 'less-than';
  readonly left: string;
  readonly right: string;
}

export type StrategyParams = Readonly<Record<string, number>>;

export interface StrategyDefinition {
  readonly name: string;
  /**
   * Changes whenever the same parameters could decide differently (new rule, new constant), so a stored
   * StrategyRef never silently runs other logic than the one it was backtested with.
   */
  readonly version: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  readonly constraints: readonly ParamConstraint[];
  /**
   * Names of the conditions an entry may record as confirmed (OrderPort.recordEntryReason's bit k is
   * `signals[k]`); at most 32.
   */
  readonly signals?: readonly string[];
  /** Conventions the strategy runs under unless the options say otherwise. */
  readonly convention: Convention;
  /**
   * A user strategy's file, as SHA-256 (hex) of its text; none for a built-in (the build is its
   * source). A live set records it, so a bot proves it runs the very code the set was approved on.
   */
  readonly sourceHash?: string;
  /** Builds an instance from parameters already checked by `validateParams`. */
  create(params: StrategyParams): Strategy;
}
