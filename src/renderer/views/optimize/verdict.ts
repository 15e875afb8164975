import { formatProbability } from '../../../core/metrics/definitions.ts';
import type { OverfittingStats } from '../../../shared/contract.ts';
import { formatInteger } from '../../format.ts';

export type VerdictLevel = 'convincing' | 'unproven' | 'luck' | 'overfit' | 'unknown';

export interface Verdict {
  level: VerdictLevel;
  /** One plain sentence: what to conclude and why. */
  headline: string;
  /** How the figures were obtained, when the trader should know (a subsample, a missing PBO). */
  caveat: string | null;
}

/** Above this the winner's Sharpe beats luck convincingly (Bailey & López de Prado use 95 %). */
const DSR_CONVINCING = 0.95;
/** Below this the winner's Sharpe is what the best of that many random trials reaches anyway. */
const DSR_LUCK = 0.5;
/** At or above this the in-sample winner does worse than the median out of sample as often as not. */
const PBO_OVERFIT = 0.5;
/** At or below this, selection rarely picks a configuration that fails out of sample. */
const PBO_SAFE = 0.2;

/**
 * One verdict weighing both statistics. They answer different questions: the Deflated Sharpe asks
 * whether the winner beats the luck of having tried this many trials, PBO whether picking the in-sample
 * best carries over out of sample. A high PBO overrides a high Deflated Sharpe: a winner can be beyond
 * luck on the whole history and still be a pick that does not generalise.
 */
export function overfittingVerdict(stats: OverfittingStats): Verdict {
  const dsr = stats.deflatedSharpe.deflatedSharpe;
  const pbo = stats.pbo;
  const trials = stats.deflatedSharpe.trials;
  const caveat = pbo
    ? pbo.trialsUsed < trials
      ? `PBO used a subsample: the best ${formatInteger(pbo.trialsUsed)} of ${formatInteger(trials)} trials.`
      : null
    : 'PBO could not be computed, so only the Deflated Sharpe is weighed.';
  const dsrText = dsr === null ? 'no Deflated Sharpe' : `Deflated Sharpe ${formatProbability(dsr)}`;
  const pboText = pbo ? `PBO ${formatProbability(pbo.pbo)}` : '';
  if (pbo && pbo.pbo >= PBO_OVERFIT)
    return {
      level: 'overfit',
      headline: `Likely overfit: picking the best in sample fails out of sample (${pboText})${dsr !== null && dsr >= DSR_CONVINCING ? `, even though the winner beats luck (${dsrText})` : ''}. Do not trade it as is.`,
      caveat,
    };
  if (dsr === null)
    return { level: 'unknown', headline: 'No verdict: the Deflated Sharpe could not be computed.', caveat };
  if (dsr < DSR_LUCK)
    return {
      level: 'luck',
      headline: `Likely luck: the winner does no better than the best of ${formatInteger(trials)} random trials would (${dsrText}).`,
      caveat,
    };
  if (dsr >= DSR_CONVINCING && (pbo === null || pbo.pbo <= PBO_SAFE))
    return {
      level: 'convincing',
      headline: `Convincing: the winner beats luck (${dsrText})${pbo ? ` and the pick holds out of sample (${pboText})` : ''}.`,
      caveat,
    };
  return {
    level: 'unproven',
    headline: `Unproven: ${dsrText}${pbo ? `, ${pboText}` : ''}; neither says overfit, neither is convincing. Test it walk-forward before trading it.`,
    caveat,
  };
}
