import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { isTollgateError } from '../errors.js';
import type { Demo } from '../gateway/demo.js';
import { closeOnSignals } from '../gateway/shutdown.js';
import { createLogger } from '../log.js';
import { demoDataDir } from '../paths.js';

/** The port of the demo's Snowflake endpoint when --port is not given (the README's). */
export const DEFAULT_DEMO_PORT = 8443;

interface DemoFlags {
  data?: string;
  port: number;
}

/** Adds `tollgate demo` to the program. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole path locally: sandbox upstream, development token issuer, gateway (until Ctrl-C)',
    )
    .option('--data <dir>', 'data folder: config, audit log, issuer key, sandbox databases')
    .option(
      '--port <port>',
      'port of the Snowflake endpoint; 0 picks a free one',
      parsePort,
      DEFAULT_DEMO_PORT,
    )
    .action(runDemo);
}

/**
 * Starts the demo, prints how to connect on stdout, and runs until SIGINT or SIGTERM. The
 * structured log goes to `gateway.log` in the data folder, so the instructions stay readable.
 */
async function runDemo(flags: DemoFlags): Promise<void> {
  const dataDir = flags.data ?? demoDataDir();
  const logger = createLogger({ destination: logFile(dataDir) });
  try {
    // Loaded here, not at start: the sandbox engine is heavy and other commands never need it.
    const { startDemo } = await import('../gateway/demo.js');
    const demo = await startDemo({ dataDir, port: flags.port, logger });
    process.stdout.write(instructions(demo, dataDir, flags.data !== undefined));
    closeOnSignals(() => demo.close(), logger);
  } catch (error) {
    process.stderr.write(`tollgate demo: ${describeFailure(error, flags.port)}\n`);
    process.exit(1);
  }
}

function logFile(dataDir: string): WriteStream {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return createWriteStream(join(dataDir, 'gateway.log'), { flags: 'a' });
}

function describeFailure(error: unknown, port: number): string {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    return `port ${port} is in use; pick another with --port (0 picks a free one)`;
  }
  if (isTollgateError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** What a new user needs: a token, a few lines of driver code, and how to find what ran. */
function instructions(demo: Demo, dataDir: string, customData: boolean): string {
  const url = demo.gateway.snowflake.url;
  const dataFlag = customData ? ` --data ${JSON.stringify(dataDir)}` : '';
  return `
Tollgate demo is running. DEVELOPMENT ONLY: tokens come from a local issuer anyone here can use.

  Snowflake endpoint   ${url}
  Account (connection) ${demo.account}
  Data folder          ${dataDir}
    config             ${demo.configFile}
    audit log          ${demo.gateway.auditStore?.path ?? '(none)'}
    gateway log        ${join(dataDir, 'gateway.log')}
  Sandbox (upstream)   ${demo.sandbox.url}
  Token issuer         ${demo.issuer.url}

1. Mint a token (claims become audit tags):

   export TOLLGATE_TOKEN=$(npx tollgate token${dataFlag} --claim repository=acme/api --claim run_id=42)

2. Connect with snowflake-sdk and run a query:

   import snowflake from 'snowflake-sdk';
   const connection = snowflake.createConnection({
     accessUrl: '${url}',
     account: '${demo.account}',
     authenticator: 'OAUTH',
     token: process.env.TOLLGATE_TOKEN,
   });
   await connection.connectAsync();
   connection.execute({ sqlText: 'select 42 as answer', complete: (err, stmt, rows) => console.log(rows) });

3. Find what ran, and check the log was not altered:

   npx tollgate audit search${dataFlag} --tag run_id=42
   npx tollgate audit verify${dataFlag}

Press Ctrl-C to stop.
`;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('must be a port number from 0 to 65535');
  }
  return port;
}
