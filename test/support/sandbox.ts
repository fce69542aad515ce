import { Writable } from 'node:stream';
import snowflake, {
  type Connection,
  type ConnectionOptions,
  type RowStatement,
} from 'snowflake-sdk';
import { createLogger } from '../../src/log.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
snowflake.configure({ logLevel: 'OFF' });

/** A sandbox started for a test, with what it logged kept for inspection. */
export interface TestSandbox extends Sandbox {
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
}

/**
 * Starts a sandbox on a free port of 127.0.0.1 with an in-memory database (unless `dataDir`
 * says otherwise) and a logger that records every line at debug level.
 */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination, name: 'test-sandbox' });
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, logger, ...options });
  return {
    ...sandbox,
    logs: () => lines.flatMap((line) => line.split('\n').filter(Boolean)).map((l) => JSON.parse(l)),
  };
}

/** snowflake-sdk options that reach the sandbox; any user and password work by default. */
export function driverOptions(
  sandbox: Sandbox,
  overrides: Partial<ConnectionOptions> = {},
): ConnectionOptions {
  return {
    accessUrl: sandbox.url,
    account: 'sandbox',
    username: 'tester',
    password: 'any-password',
    ...overrides,
  } as ConnectionOptions;
}

/** Connects the real driver to the sandbox. */
export async function connect(
  sandbox: Sandbox,
  overrides: Partial<ConnectionOptions> = {},
): Promise<Connection> {
  const connection = snowflake.createConnection(driverOptions(sandbox, overrides));
  await new Promise<void>((resolve, reject) => {
    connection.connect((error) => (error ? reject(error) : resolve()));
  });
  return connection;
}

/** What one `execute` produced. */
export interface Executed {
  statement: RowStatement;
  rows: Record<string, unknown>[];
}

/** Options passed through to `connection.execute`, without the callback. */
export type ExecuteOptions = Omit<Parameters<Connection['execute']>[0], 'sqlText' | 'complete'>;

/** Runs one request through the driver and collects every row. */
export function execute(
  connection: Connection,
  sqlText: string,
  options: ExecuteOptions = {},
): Promise<Executed> {
  return new Promise((resolve, reject) => {
    connection.execute({
      ...options,
      sqlText,
      complete: (error, statement, rows) => {
        if (error) reject(error);
        else resolve({ statement, rows: (rows ?? []) as Record<string, unknown>[] });
      },
    });
  });
}

/** Runs one statement and returns its rows. */
export async function query(
  connection: Connection,
  sqlText: string,
  binds?: ExecuteOptions['binds'],
): Promise<Record<string, unknown>[]> {
  const options: ExecuteOptions = binds === undefined ? {} : { binds };
  return (await execute(connection, sqlText, options)).rows;
}

/** Logs the driver out (POST /session?delete=true). */
export function destroy(connection: Connection): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.destroy((error) => (error ? reject(error) : resolve()));
  });
}
