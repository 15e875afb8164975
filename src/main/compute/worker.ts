/** Piscina worker entry: imports core and shared only (lint-enforced), never storage or secrets. */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { resultTransfers, TaskRunner } from './tasks.ts';
import type { PoolMessage } from './pool.ts';
import { checkUserStrategy, ensureUserStrategy } from './userStrategies.ts';

const runner = new TaskRunner();

/** The task's output, its buffers marked to be moved (Piscina unwraps them): see resultTransfers. */
export default function runTask(message: PoolMessage): unknown {
  if ('kind' in message) {
    message.started.postMessage('started');
    message.started.close();
    return checkUserStrategy(message.source);
  }
  if (message.userStrategy !== undefined) ensureUserStrategy(message.userStrategy);
  const result = runner.run(message.task);
  const buffers = resultTransfers(result);
  if (buffers.length === 0) return result;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: result });
}
