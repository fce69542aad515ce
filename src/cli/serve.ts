import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { isTollgateError } from '../errors.js';
import { closeOnSignals } from '../gateway/shutdown.js';
import { createLogger } from '../log.js';

interface ServeFlags {
  config: string;
}

/** Adds `tollgate serve` to the program. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway a config file describes, until SIGINT or SIGTERM')
    .option('-c, --config <file>', 'the YAML config (docs/configuration.md)', 'tollgate.yaml')
    .action(serve);
}

/**
 * Loads and checks the config, starts the gateway, and prints where it listens on stderr (the
 * structured log goes to stdout). Any start-up failure is printed with its TG_* code and the
 * process exits 1.
 */
async function serve(flags: ServeFlags): Promise<void> {
  const logger = createLogger();
  try {
    const config = await loadConfig(flags.config);
    // Loaded here, not at start, so other commands do not pay for the gateway's modules.
    const { startGateway } = await import('../gateway/gateway.js');
    const gateway = await startGateway({ config, logger });
    const admin = gateway.admin === null ? '' : `, admin ${gateway.admin.url}`;
    process.stderr.write(`tollgate: snowflake ${gateway.snowflake.url}${admin}\n`);
    closeOnSignals(() => gateway.close(), logger);
  } catch (error) {
    const message = isTollgateError(error) ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(`tollgate serve: ${message}\n`);
    process.exit(1);
  }
}
