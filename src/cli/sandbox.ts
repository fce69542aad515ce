import type { Command } from 'commander';

/** Adds `tollgate sandbox` to the program. */
export function registerSandboxCommand(program: Command): void {
  program.command('sandbox').description('(not yet available)');
}
