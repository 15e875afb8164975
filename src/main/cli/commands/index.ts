import type { CommandEntry } from '../command.ts';
import { appCommands } from './app/index.ts';
import { backtestCommands } from './backtest/index.ts';
import { computeCommands } from './compute/index.ts';
import { dataCommands } from './data/index.ts';
import { liveCommands } from './live/index.ts';
import { mlCommands } from './ml/index.ts';
import { optimizeCommands } from './optimize/index.ts';
import { regimeCommands } from './regime/index.ts';
import { robustnessCommands } from './robustness/index.ts';
import { settingsCommands } from './settings/index.ts';
import { compareCommands } from './compare/index.ts';

/**
 * Every CLI command, in the order `regimen --help` lists them. Each domain lists its own commands in
 * `commands/<domain>/index.ts` (implementations beside it) and adds one line here. Entries load lazily:
 * DuckDB, the Alpaca client and the worker pool cost a second or more to import, which `--help` or a CSV
 * backtest should not pay, so a domain's index must never import its command modules statically.
 */
export const COMMANDS: readonly CommandEntry[] = [
  ...appCommands,
  ...backtestCommands,
  ...regimeCommands,
  ...optimizeCommands,
  ...robustnessCommands,
  ...computeCommands,
  ...mlCommands,
  ...liveCommands,
  ...dataCommands,
  ...settingsCommands,
  ...compareCommands,
];
