import type { Command } from 'commander';

/** Adds `tollgate audit` to the program. */
export function registerAuditCommand(program: Command): void {
  program.command('audit').description('(not yet available)');
}
