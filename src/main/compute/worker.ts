/** Piscina worker entry: imports core and shared only (lint-enforced), never storage or secrets. */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { resultTransfers, TaskRunner, type WorkerTask } from './tasks.ts';

const runner = new TaskRunner();

/** The task's output, its buffers marked to be moved (Piscina unwraps them): see resultTransfers. */
export default function runTask(task: WorkerTask): unknown {
  const result = runner.run(task);
  const buffers = resultTransfers(result);
  if (buffers.length === 0) return result;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: result });
}
