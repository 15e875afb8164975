import type { Command } from '../command.ts';
import { backtestCommand } from './backtest.ts';
import { DATA_COMMANDS } from './data.ts';
import { demoCommand } from './demo.ts';
import { driftCommand } from './drift.ts';
import { indicatorsCommand } from './indicators.ts';
import { metricsCommand } from './metrics.ts';
import { optimizeCommand } from './optimize.ts';
import { serveCommand } from './serve.ts';
import { walkForwardCommand } from './walkForward.ts';

/** Every CLI command, in the order `regimen --help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  serveCommand,
  backtestCommand,
  metricsCommand,
  indicatorsCommand,
  optimizeCommand,
  walkForwardCommand,
  driftCommand,
  ...DATA_COMMANDS,
];
