/**
 * A deterministic synthetic market: 1-minute bars over NYSE regular sessions for the demo (no API keys)
 * and for tests that need realistic-looking data with known ground truth.
 *
 * The model, one session at a time:
 * - Market regime: a Markov chain over six states, trend x volatility. Each session the trend (bull, bear,
 *   sideways) stays with probability 1 - 1/40 (mean run 40 sessions) or jumps to one of the other two with
 *   equal probability; volatility independently goes low -> high with probability 1/40 (1/15 in a bear
 *   trend: selloffs are volatile) and high -> low with probability 1/15. The state is fixed for a session
 *   and exported per bar (`Regime`) as ground truth for regime detectors.
 * - Market factor: per-minute log returns with the regime's drift (bull +35%/yr, bear -35%/yr, sideways
 *   0 plus a pull back toward the level where the sideways run began) and volatility (low 12%/yr, high
 *   32%/yr); 80% of the daily variance is intraday, shaped by a U-shaped intraday volatility curve, and 20%
 *   is the overnight gap.
 * - Each symbol: log return = beta x market + idiosyncratic noise (its own volatility, 1.6x in high-vol
 *   regimes), plus rare overnight jumps (about once a quarter, like earnings). Correlation between two
 *   symbols therefore comes from the common factor, in proportion to their betas.
 * - Bars: open = previous close within a session (a gap at the session open), high/low extend the
 *   open-close range by half-normal excursions, prices are rounded to cents and kept consistent
 *   (low <= min(open, close) <= max(open, close) <= high, all >= 0.01). Volume follows a U-shaped
 *   intraday profile (heavy at the open, heavier at the close), scales with the regime and with the size
 *   of the bar's move, with log-normal noise; integer shares, at least 1.
 *
 * Determinism: every random draw comes from mulberry32 streams derived from the seed (one for the regimes
 * and market factor, one per symbol index), so a seed gives the same bytes on every run, and a symbol's
 * bars do not depend on which other symbols are generated or in which order.
 */
import { allocateBars, type Bars } from './bars.ts';
import { MINUTE_MS, sessionsBetween, type Session } from './calendar.ts';
import { createRng, deriveSeed } from '../math/random.ts';

/** Ground-truth market regime of a bar: trend x volatility. */
export const Regime = {
  BullLowVol: 0,
  BullHighVol: 1,
  BearLowVol: 2,
  BearHighVol: 3,
  SidewaysLowVol: 4,
  SidewaysHighVol: 5,
} as const;
export type Regime = (typeof Regime)[keyof typeof Regime];
export const REGIME_NAMES: readonly string[] = [
  'bull / low vol',
  'bull / high vol',
  'bear / low vol',
  'bear / high vol',
  'sideways / low vol',
  'sideways / high vol',
];
export const Trend = { Bull: 0, Bear: 1, Sideways: 2 } as const;
export type Trend = (typeof Trend)[keyof typeof Trend];
export const regimeTrend = (regime: number): Trend => (regime >> 1) as Trend;
export const regimeIsHighVol = (regime: number): boolean => (regime & 1) === 1;

export interface SyntheticSymbolSpec {
  symbol: string;
  /** Price of the first open. */
  startPrice: number;
  /** Sensitivity to the market factor. */
  beta: number;
  /** Annualised volatility of the symbol's own (idiosyncratic) returns in low-vol regimes. */
  idiosyncraticVolatility: number;
  /** Average shares per regular session. */
  dailyVolume: number;
}

/** Fictional tickers (a demo market, not real companies) with distinct characters. */
export const DEFAULT_SYNTHETIC_SYMBOLS: readonly SyntheticSymbolSpec[] = [
  { symbol: 'SYNX', startPrice: 420, beta: 1, idiosyncraticVolatility: 0.03, dailyVolume: 60_000_000 },
  { symbol: 'ALFA', startPrice: 185, beta: 1.3, idiosyncraticVolatility: 0.22, dailyVolume: 45_000_000 },
  { symbol: 'BRVO', startPrice: 62, beta: 1.1, idiosyncraticVolatility: 0.18, dailyVolume: 20_000_000 },
  { symbol: 'CHRL', startPrice: 38, beta: 0.9, idiosyncraticVolatility: 0.3, dailyVolume: 15_000_000 },
  { symbol: 'DLTA', startPrice: 140, beta: 0.7, idiosyncraticVolatility: 0.16, dailyVolume: 8_000_000 },
  { symbol: 'ECHO', startPrice: 55, beta: 0.4, idiosyncraticVolatility: 0.12, dailyVolume: 5_000_000 },
];

export interface SyntheticMarketOptions {
  seed: number;
  /** Every regular session whose open lies in [start, end) (epoch ms UTC) is generated in full. */
  start: number;
  end: number;
  symbols?: readonly SyntheticSymbolSpec[];
}

export interface SyntheticSeries {
  symbol: string;
  bars: Bars;
  /** Ground-truth regime per bar (the market's; shared by all symbols of a market, do not modify). */
  regimes: Uint8Array;
}

export interface SyntheticMarket {
  readonly seed: number;
  readonly symbols: readonly SyntheticSymbolSpec[];
  readonly sessions: readonly Session[];
  /** Bars per symbol (all regular-session minutes of all sessions). */
  readonly barCount: number;
  /** Regime of each session and of each bar. */
  readonly sessionRegimes: Uint8Array;
  readonly regimes: Uint8Array;
  /** Generates one symbol's bars (by index into `symbols`), e.g. to store symbol by symbol. */
  generate(index: number): SyntheticSeries;
}

const TRADING_DAYS = 252;
const TREND_DRIFT = [0.35, -0.35, 0];
const MARKET_VOLATILITY = [0.12, 0.32];
const HIGH_VOL_IDIOSYNCRATIC = 1.6;
const INTRADAY_VARIANCE_SHARE = 0.8;
const SIDEWAYS_PULL_PER_DAY = 0.08;
const TREND_STAY = 1 - 1 / 40;
const VOL_UP = 1 / 40;
const VOL_UP_IN_BEAR = 1 / 15;
const VOL_DOWN = 1 / 15;
const JUMP_PROBABILITY = 1 / 63;
const JUMP_SIZE = 0.04;
const VOLUME_NOISE = 0.35;

/** Intraday volatility (normalised to mean square 1) and volume share of each minute, per session length. */
interface IntradayProfile {
  volatility: Float64Array;
  volume: Float64Array;
}
const profiles = new Map<number, IntradayProfile>();

function intradayProfile(minutes: number): IntradayProfile {
  let profile = profiles.get(minutes);
  if (profile !== undefined) return profile;
  const volatility = new Float64Array(minutes);
  const volume = new Float64Array(minutes);
  let squares = 0;
  for (let j = 0; j < minutes; j++) {
    const fromOpen = j;
    const toClose = minutes - 1 - j;
    volatility[j] = 1 + 1.5 * Math.exp(-fromOpen / 20) + 0.5 * Math.exp(-toClose / 30);
    squares += volatility[j]! ** 2;
    volume[j] = 1 + 3 * Math.exp(-fromOpen / 25) + 4 * Math.exp(-toClose / 20);
  }
  // Volume shares relative to a full 390-minute day, so a half day trades proportionally less.
  let fullDay = 0;
  for (let j = 0; j < 390; j++) fullDay += 1 + 3 * Math.exp(-j / 25) + 4 * Math.exp(-(389 - j) / 20);
  const scale = 1 / Math.sqrt(squares / minutes);
  for (let j = 0; j < minutes; j++) {
    volatility[j]! *= scale;
    volume[j]! /= fullDay;
  }
  profile = { volatility, volume };
  profiles.set(minutes, profile);
  return profile;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Builds the calendar, regimes and market factor; symbols are generated on demand with `generate`. */
export function createSyntheticMarket(options: SyntheticMarketOptions): SyntheticMarket {
  const symbols = options.symbols ?? DEFAULT_SYNTHETIC_SYMBOLS;
  const seed = options.seed;
  const sessions = sessionsBetween(options.start, options.end).filter(
    (s) => s.open >= options.start && s.open < options.end,
  );
  const sessionCount = sessions.length;
  const sessionLength = new Int32Array(sessionCount);
  let barCount = 0;
  for (let d = 0; d < sessionCount; d++) {
    sessionLength[d] = Math.round((sessions[d]!.close - sessions[d]!.open) / MINUTE_MS);
    barCount += sessionLength[d]!;
  }

  // Regimes, one per session.
  const regimeRng = createRng(deriveSeed(seed, 1));
  const sessionRegimes = new Uint8Array(sessionCount);
  let trend: number = regimeRng.int(3);
  let highVol = regimeRng.float() < 0.3 ? 1 : 0;
  for (let d = 0; d < sessionCount; d++) {
    if (d > 0) {
      if (regimeRng.float() >= TREND_STAY) trend = (trend + 1 + regimeRng.int(2)) % 3;
      const u = regimeRng.float();
      if (highVol === 0 && u < (trend === Trend.Bear ? VOL_UP_IN_BEAR : VOL_UP)) highVol = 1;
      else if (highVol === 1 && u < VOL_DOWN) highVol = 0;
    }
    sessionRegimes[d] = trend * 2 + highVol;
  }
  const regimes = new Uint8Array(barCount);
  for (let d = 0, k = 0; d < sessionCount; k += sessionLength[d]!, d++) {
    regimes.fill(sessionRegimes[d]!, k, k + sessionLength[d]!);
  }

  // Market factor: per-minute log returns and an overnight gap per session (gap of session 0 is 0).
  const marketRng = createRng(deriveSeed(seed, 2));
  const marketReturn = new Float64Array(barCount);
  const marketGap = new Float64Array(sessionCount);
  let level = 0;
  let anchor = 0;
  for (let d = 0, k = 0; d < sessionCount; d++) {
    const regime = sessionRegimes[d]!;
    const trendOf = regime >> 1;
    if (d > 0 && regimeTrend(sessionRegimes[d - 1]!) !== trendOf) anchor = level;
    const dailySigma = MARKET_VOLATILITY[regime & 1]! / Math.sqrt(TRADING_DAYS);
    let dailyDrift = TREND_DRIFT[trendOf]! / TRADING_DAYS;
    if (trendOf === Trend.Sideways) dailyDrift -= SIDEWAYS_PULL_PER_DAY * (level - anchor);
    const minutes = sessionLength[d]!;
    const gap = d === 0 ? 0 : marketRng.normal() * dailySigma * Math.sqrt(1 - INTRADAY_VARIANCE_SHARE);
    marketGap[d] = gap;
    level += gap;
    const { volatility } = intradayProfile(minutes);
    const minuteSigma = dailySigma * Math.sqrt(INTRADAY_VARIANCE_SHARE / 390);
    const minuteDrift = dailyDrift / 390;
    for (let j = 0; j < minutes; j++, k++) {
      const r = minuteDrift + minuteSigma * volatility[j]! * marketRng.normal();
      marketReturn[k] = r;
      level += r;
    }
  }

  const generate = (index: number): SyntheticSeries => {
    const spec = symbols[index];
    if (spec === undefined) throw new RangeError(`no synthetic symbol at index ${index}`);
    const rng = createRng(deriveSeed(seed, 100 + index));
    const bars = allocateBars(barCount);
    const { t, o, h, l, c, v } = bars;
    const beta = spec.beta;
    let logPrice = Math.log(spec.startPrice);
    for (let d = 0, k = 0; d < sessionCount; d++) {
      const regime = sessionRegimes[d]!;
      const high = regime & 1;
      const idioDaily =
        (spec.idiosyncraticVolatility * (high === 1 ? HIGH_VOL_IDIOSYNCRATIC : 1)) / Math.sqrt(TRADING_DAYS);
      const idioMinute = idioDaily * Math.sqrt(INTRADAY_VARIANCE_SHARE / 390);
      const marketMinute =
        (MARKET_VOLATILITY[high]! / Math.sqrt(TRADING_DAYS)) * Math.sqrt(INTRADAY_VARIANCE_SHARE / 390);
      const volumeLevel = spec.dailyVolume * (high === 1 ? 1.5 : 1) * (regime >> 1 === Trend.Bear ? 1.15 : 1);
      const minutes = sessionLength[d]!;
      const { volatility, volume } = intradayProfile(minutes);
      const open0 = sessions[d]!.open;
      if (d > 0) {
        let gap = beta * marketGap[d]! + rng.normal() * idioDaily * Math.sqrt(1 - INTRADAY_VARIANCE_SHARE);
        if (rng.float() < JUMP_PROBABILITY) gap += rng.normal() * JUMP_SIZE;
        logPrice += gap;
      }
      let open = Math.max(0.01, round2(Math.exp(logPrice)));
      for (let j = 0; j < minutes; j++, k++) {
        const shape = volatility[j]!;
        const sigma = Math.sqrt((beta * marketMinute) ** 2 + idioMinute ** 2) * shape;
        const idio = rng.normal();
        logPrice += beta * marketReturn[k]! + idioMinute * shape * idio;
        const close = Math.max(0.01, round2(Math.exp(logPrice)));
        const top = open > close ? open : close;
        const bottom = open < close ? open : close;
        const up = round2(top * Math.exp(Math.abs(rng.normal()) * sigma * 0.6));
        const down = Math.max(0.01, round2(bottom * Math.exp(-Math.abs(rng.normal()) * sigma * 0.6)));
        t[k] = open0 + j * MINUTE_MS;
        o[k] = open;
        c[k] = close;
        h[k] = up > top ? up : top;
        l[k] = down < bottom ? down : bottom;
        const move = Math.abs(Math.log(close / open)) / sigma;
        const noise = Math.exp(VOLUME_NOISE * rng.normal() - 0.5 * VOLUME_NOISE * VOLUME_NOISE);
        const shares = Math.round(volumeLevel * volume[j]! * noise * (0.7 + 0.3 * move));
        v[k] = shares >= 1 ? shares : 1;
        open = close;
      }
    }
    return { symbol: spec.symbol, bars, regimes };
  };

  return { seed, symbols, sessions, barCount, sessionRegimes, regimes, generate };
}

/** All symbols of a synthetic market (see createSyntheticMarket for generating them one at a time). */
export function generateSyntheticMarket(options: SyntheticMarketOptions): SyntheticSeries[] {
  const market = createSyntheticMarket(options);
  return market.symbols.map((_, index) => market.generate(index));
}
