/** Piscina worker entry: imports core and shared only (lint-enforced), never storage or secrets. */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { TaskRunner, type WorkerTask } from './tasks.ts';

const runner = new TaskRunner();

/** The task's output; trials' period returns marked to be moved (Piscina unwraps them). */
export default function runTask(task: WorkerTask): unknown {
  const result = runner.run(task);
  if (!('outcomes' in result)) return result;
  // Trials' period returns are moved to the main thread rather than copied: 8 bytes a period and trial.
  const buffers = result.outcomes.flatMap((o) => (o.ok && o.returns !== undefined ? [o.returns.buffer] : []));
  if (buffers.length === 0) return result;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: result });
}
