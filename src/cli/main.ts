#!/usr/bin/env node
import { Command } from 'commander';
import { registerAuditCommand } from './audit.js';
import { registerDemoCommand } from './demo.js';
import { registerSandboxCommand } from './sandbox.js';
import { registerServeCommand } from './serve.js';
import { registerTokenCommand } from './token.js';

const program = new Command();

program
  .name('tollgate')
  .description('Data-access gateway for AI coding agents: OIDC in, held credentials out, audited')
  .version('0.1.0');

registerDemoCommand(program);
registerServeCommand(program);
registerSandboxCommand(program);
registerTokenCommand(program);
registerAuditCommand(program);

await program.parseAsync(process.argv);
