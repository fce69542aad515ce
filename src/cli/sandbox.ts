import { type Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../log.js';

/** The port `tollgate sandbox` listens on when --port is not given. */
export const DEFAULT_SANDBOX_PORT = 8444;

interface SandboxFlags {
  host: string;
  port: number;
  data?: string;
  seed?: string;
  users?: string;
}

/** Adds `tollgate sandbox` to the program. */
export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('Run the Snowflake-compatible sandbox: the Snowflake REST protocol on DuckDB')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port; 0 picks a free one', parsePort, DEFAULT_SANDBOX_PORT)
    .option('--data <dir>', 'keep databases in this folder (default: in memory)')
    .option('--seed <file>', 'run this SQL file once at start')
    .option('--users <file>', 'check logins against this YAML users file (default: accept any)')
    .action(runSandbox);
}

/**
 * Starts the sandbox, prints its URL on stdout (logs go to stderr, so the URL can be read by
 * a script), and runs until SIGINT or SIGTERM, then closes sessions and databases.
 */
async function runSandbox(flags: SandboxFlags): Promise<void> {
  const logger = createLogger({ name: 'tollgate-sandbox', destination: process.stderr });

  // Loaded here, not at the top: DuckDB and the SQL transpiler cost ~180 MB of RSS that
  // `tollgate serve` and the other commands must not pay.
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({
    host: flags.host,
    port: flags.port,
    logger,
    ...(flags.data === undefined ? {} : { dataDir: flags.data }),
    ...(flags.seed === undefined ? {} : { seedFile: flags.seed }),
    ...(flags.users === undefined ? {} : { usersFile: flags.users }),
  });
  process.stdout.write(`${sandbox.url}\n`);

  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'sandbox shutting down');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'sandbox did not close cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  }
  return port;
}
