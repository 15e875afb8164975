/** Piscina worker entry: imports core and shared only (lint-enforced), never storage or secrets. */
import { TaskRunner, type WorkerTask } from './tasks.ts';

const runner = new TaskRunner();

export default function runTask(task: WorkerTask): ReturnType<TaskRunner['run']> {
  return runner.run(task);
}
