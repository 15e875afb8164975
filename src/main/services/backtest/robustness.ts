import { blockBootstrap, shuffleTrades } from '../../../core/robustness/index.ts';
import type { RobustnessInput, RobustnessPayload } from '../../../shared/contract.ts';

/**
 * `backtest:robustness`: the core's Monte Carlo on the returns the caller sends (the contract has checked
 * every field, so the core's own refusals cannot fire here). Bands leave as plain arrays for JSON.
 */
export function runRobustness(request: RobustnessInput): RobustnessPayload {
  const options = {
    resamples: request.resamples,
    seed: request.seed,
    drawdownDepth: request.drawdownDepth,
    ruinFloor: request.ruinFloor,
  };
  const result =
    request.method === 'trade-shuffle'
      ? shuffleTrades(request.returns, options)
      : blockBootstrap(request.returns, { ...options, blockLength: request.blockLength });
  return {
    method: request.method,
    resamples: result.resamples,
    seed: request.seed,
    percentiles: [...result.percentiles],
    equityBands: result.equityBands.map((band) => Array.from(band)),
    drawdownBands: result.drawdownBands.map((band) => Array.from(band)),
    maxDrawdownBands: [...result.maxDrawdownBands],
    probDrawdownBeyond: result.probDrawdownBeyond,
    probRuin: result.probRuin,
    drawdownDepth: result.drawdownDepth,
    ruinFloor: result.ruinFloor,
    ...(result.blockLength === undefined ? {} : { blockLength: result.blockLength }),
  };
}
