import type { Command } from 'commander';

/** Adds `tollgate serve` to the program. */
export function registerServeCommand(program: Command): void {
  program.command('serve').description('(not yet available)');
}
