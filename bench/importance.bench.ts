/**
 * Parameter importance (issue 15 item 7): fANOVA over a 2,000-trial, 12-parameter study with Optuna's
 * forest (64 trees; target < 2 s), next to a baseline measured in the same run: the same forest of one
 * tree, i.e. the presort and design matrix every call pays plus a single fit and decomposition.
 * Run: `npm run bench -- importance`.
 */
import { createRng } from '../src/core/math/random.ts';
import { paramImportance, type ScoredParams } from '../src/core/optimize/importance.ts';
import { parseSpace } from '../src/core/optimize/space.ts';
import { bestOf, RUNS } from './timing.ts';

const TRIALS = 2000;
const PARAMS = 12;

const ms = (x: { wall: number; cpu: number }): string =>
  `${x.wall.toFixed(1)} ms (CPU ${x.cpu.toFixed(1)} ms)`;

export function runImportanceBench(): void {
  // Half integer grids, half continuous floats, as a strategy's space mixes them.
  const space = parseSpace(
    Array.from({ length: PARAMS }, (_, i) => (i % 2 === 0 ? `p${i}=2:200` : `p${i}=0:1`)),
  );
  const rng = createRng(7);
  const trials: ScoredParams[] = Array.from({ length: TRIALS }, () => {
    const params: Record<string, number> = {};
    for (const p of space.params)
      params[p.name] = p.kind === 'int' ? p.low + rng.int(p.high - p.low + 1) : rng.float();
    const value = Math.sin((params.p0 as number) / 30) + 2 * (params.p1 as number) ** 2 + 0.3 * rng.normal();
    return { params, value };
  });
  let sink = 0;
  const one = bestOf(() => {
    sink += paramImportance(space, trials, { trees: 1 }).params[0]!.importance;
  });
  let top = '';
  const full = bestOf(() => {
    const result = paramImportance(space, trials);
    top = result.params
      .slice(0, 3)
      .map((p) => `${p.name} ${p.importance.toFixed(2)}`)
      .join(', ');
  });
  console.log(`${TRIALS.toLocaleString('en-US')} trials x ${PARAMS} parameters, best of ${RUNS}`);
  console.log(`  baseline: a forest of 1 tree:  ${ms(one)}`);
  console.log(`  fANOVA, 64 trees:              ${ms(full)} (${(full.cpu / one.cpu).toFixed(1)}x baseline)`);
  console.log(`  ranking (p1 and p0 planted):   ${top}`);
  if (Number.isNaN(sink)) console.log('unreachable: keeps the work observable');
}
