/** Piscina worker entry: imports core and shared only (lint-enforced), never storage or secrets. */
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import { resultTransfers, TaskRunner, type WorkerTask } from './tasks.ts';
import { installUserStrategy, type UserStrategySource } from './userStrategies.ts';

// Main checked these sources before starting the pool: one failing here would fail every task, loudly.
for (const source of (workerData as { userStrategies?: UserStrategySource[] } | undefined)?.userStrategies ??
  [])
  installUserStrategy(source);

const runner = new TaskRunner();

/** The task's output, its buffers marked to be moved (Piscina unwraps them): see resultTransfers. */
export default function runTask(task: WorkerTask): unknown {
  const result = runner.run(task);
  const buffers = resultTransfers(result);
  if (buffers.length === 0) return result;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: result });
}
