import type { StrategyIdentity } from './parameterSet.ts';

/**
 * Why `holder` (a bot) that runs `available` cannot run a set for `wanted` (undefined when it can): it
 * lacks the strategy, runs another source of it (both hashes named) or another version. The bot's check
 * on a push, the workstation's before one, provenance's against the study, and the Live view's standing
 * badge (which shows `hashDigits` of each hash). It imports no code, so the renderer may run it too.
 */
export function strategyMismatch(
  wanted: StrategyIdentity,
  available: readonly StrategyIdentity[],
  holder = 'the bot',
  hashDigits = 64,
): string | undefined {
  const source = (hash: string | undefined): string =>
    hash === undefined ? 'none (a built-in strategy)' : hash.slice(0, hashDigits);
  const have = available.find((strategy) => strategy.name === wanted.name);
  if (have === undefined)
    return (
      `${holder} lacks strategy ${wanted.name}` +
      (wanted.sourceHash === undefined ? '' : ` (source ${source(wanted.sourceHash)})`) +
      `: it runs ${available.map((strategy) => strategy.name).join(', ') || 'none'}`
    );
  if (have.sourceHash !== wanted.sourceHash)
    return (
      `strategy ${wanted.name}: the set was approved on source ${source(wanted.sourceHash)}, ` +
      `${holder} runs source ${source(have.sourceHash)}`
    );
  if (have.version !== wanted.version)
    return (
      `strategy ${wanted.name}: version ${JSON.stringify(wanted.version)} requested, ` +
      `${holder} has version ${JSON.stringify(have.version)}`
    );
  return undefined;
}
