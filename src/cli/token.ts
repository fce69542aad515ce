import type { Command } from 'commander';

/** Adds `tollgate token` to the program. */
export function registerTokenCommand(program: Command): void {
  program.command('token').description('(not yet available)');
}
