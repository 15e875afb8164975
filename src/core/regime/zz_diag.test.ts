import { it } from 'vitest';
import { STRATEGIES } from '../strategy/registry.ts';
import { sampleCandidates } from './perRegime.ts';
import { PLANTED_GRID, detectorLabels, plantedDetector, plantedLabels, plantedPairMarket, recoverPlantedPairs, withinOneStep } from './plantedPairs.ts';
it('diag', () => {
  const candidates = sampleCandidates(PLANTED_GRID, { kind: 'grid' }, 1000, 1);
  const def = STRATEGIES['sma-cross'];
  const n = Number(process.env.PP_N);
  let hmmOk = 0, plOk = 0; const miss: string[] = [];
  for (let seed = 1001; seed <= 1050; seed++) {
    const market = plantedPairMarket(n, seed);
    const o = recoverPlantedPairs(market, detectorLabels(market, plantedDetector()), def, candidates, { minTrades: 5, minDwell: 5 });
    const p = recoverPlantedPairs(market, plantedLabels(market), def, candidates, { minTrades: 5, minDwell: 5 });
    if (withinOneStep(o, PLANTED_GRID)) hmmOk++; else miss.push(`${seed}: ${o.winners.map(w => `${w.fast}/${w.slow}`).join(',')}`);
    if (withinOneStep(p, PLANTED_GRID)) plOk++;
  }
  console.log(`RESULT n ${n} hmm ${hmmOk}/50 planted ${plOk}/50 misses ${miss.join('; ')}`);
}, 900_000);
