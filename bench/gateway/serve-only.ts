/**
 * `tollgate serve` on a program of its own: the same command module as the CLI's, without the
 * other subcommands. The benchmark runs it beside the full CLI to show what the gateway process
 * itself holds, apart from modules the CLI entry loads for other commands at start.
 */
import { Command } from 'commander';
import { registerServeCommand } from '../../src/cli/serve.js';

const program = new Command('tollgate');
registerServeCommand(program);
await program.parseAsync(process.argv);
