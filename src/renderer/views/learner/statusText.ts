import type { LearnerStatus } from '../../../shared/contract.ts';
import { learnerFeedText } from '../../../shared/learnerFeedText.ts';
import { LEARNER_STRATEGY } from '../../store/learnerStore.ts';

/**
 * The ledger and its learner in one line. The ledger counts every strategy's windows but the view's
 * learner is one strategy's: without its name, a walk-forward of another strategy left "21 out-of-sample
 * windows · no learner yet: run a walk-forward to feed it", which the trader had just done.
 */
export function ledgerStatusText({ ledger, learners }: LearnerStatus): string {
  const learner = learners.find((l) => l.strategy === LEARNER_STRATEGY);
  const counts = `Ledger: ${ledger.windowTest} out-of-sample windows, ${ledger.trial} trials`;
  if (!learner) return `${counts} · no ${LEARNER_STRATEGY} learner yet: ${learnerFeedText(LEARNER_STRATEGY)}`;
  const pending = learner.pending === 0 ? 'up to date' : `${learner.pending} pending`;
  return (
    `${counts} · ${LEARNER_STRATEGY} learner v${learner.version}, ${learner.learned} results ` +
    `learned (${pending}), ${learner.resets} drift resets`
  );
}
