import { strategyMismatch } from '../../../core/live/strategyMatch.ts';
import type { LiveBotView, LiveProposal } from '../../../shared/contract.ts';

/** Digits of a source hash the badge shows: enough to tell two files apart at a glance. */
const BADGE_HASH_DIGITS = 12;

/**
 * Why the proposal's bot cannot run its set, read from the status the view already holds (undefined
 * when it can, or when the bot did not answer or does not list its strategies: the push itself checks
 * those). The same check the workstation makes on Push, shown before it is pressed.
 */
export function proposalStrategyProblem(
  proposal: LiveProposal,
  bots: readonly LiveBotView[],
): string | undefined {
  const bot = bots.find((b) => b.url === proposal.bot);
  const strategies = bot?.status?.strategies;
  if (bot === undefined || strategies === undefined) return undefined;
  return strategyMismatch(proposal.set.strategy, strategies, `bot ${bot.name}`, BADGE_HASH_DIGITS);
}
