import type { Command } from '../command.ts';
import { demoCommand } from './demo.ts';
import { serveCommand } from './serve.ts';

/** Every CLI command, in the order `regimen --help` lists them. */
export const COMMANDS: readonly Command[] = [demoCommand, serveCommand];
