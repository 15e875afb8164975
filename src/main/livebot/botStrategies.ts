import type { StrategyDefinition } from '../../core/strategy-api/types.ts';
import type { StrategyProblem } from '../../shared/userStrategy.ts';
import { evaluateUserStrategy } from '../compute/userStrategies.ts';
import { checkStrategyFolder, type UserStrategyLoadOptions } from '../services/backtest/userStrategyFiles.ts';

export interface BotStrategies {
  /** The folder's strategies that loaded, by name, each with its source's hash. */
  readonly strategies: Readonly<Record<string, StrategyDefinition>>;
  /** The files left out, each with its line and reason. */
  readonly problems: readonly StrategyProblem[];
}

/**
 * The trader's own strategies a bot runs beside the built-ins: the folder is checked as the
 * workstation checks its data folder's (each file run first in a worker thread within the load limit,
 * a broken one named and left out, the rest kept), so the bot runs the same definitions, versions and
 * source hashes as the backtests did. Unlike the workstation's main thread, the bot then evaluates the
 * files itself, as a compute worker does: it trades with them on every bar.
 */
export async function loadBotStrategies(
  folder: string,
  options: UserStrategyLoadOptions = {},
): Promise<BotStrategies> {
  const { checked, problems } = await checkStrategyFolder(folder, options.timeoutMs);
  const strategies: Record<string, StrategyDefinition> = {};
  for (const { source } of checked) {
    const definition = evaluateUserStrategy(source);
    strategies[definition.name] = definition;
  }
  return { strategies, problems };
}
