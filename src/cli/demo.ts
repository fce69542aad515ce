import type { Command } from 'commander';

/** Adds `tollgate demo` to the program. */
export function registerDemoCommand(program: Command): void {
  program.command('demo').description('(not yet available)');
}
