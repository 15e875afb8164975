export { sma, SmaState, ema, EmaState, macd, macdLine, MacdState } from './moving-average.ts';
export {
  bollinger,
  BollingerState,
  rollingStd,
  rollingVolatility,
  StdState,
  VolatilityState,
} from './dispersion.ts';
export { rsi, RsiState, mfi, MfiState } from './oscillators.ts';
export { atr, AtrState, adx, AdxState } from './range.ts';
export { obv, ObvState, volumeRatio, VolumeRatioState } from './volume.ts';
export { IndicatorCache, DEFAULT_CACHE_BYTES, type IndicatorCacheStats } from './cache.ts';
