import { readFile } from 'node:fs/promises';
import { type Logger, silentLogger } from '../log.js';
import { createDuckDbEngine, toArrowIpc } from './engine/index.js';
import type { SandboxServerOptions } from './server/options.js';
import { startSandboxServer } from './server/server.js';
import { UserDirectory } from './server/users.js';

export type { SandboxServerOptions } from './server/options.js';
export { UserDirectory } from './server/users.js';

/** Options of {@link startSandbox}: where data lives and who may log in, plus server knobs. */
export interface SandboxOptions extends Omit<SandboxServerOptions, 'users' | 'logger'> {
  /**
   * Folder for the databases, so they survive a restart. Default: none, everything is in
   * memory and gone when the sandbox closes.
   */
  dataDir?: string;
  /** A file of Snowflake SQL run once at start (`--seed`). Default: none. */
  seedFile?: string;
  /**
   * A YAML users file (`--users`, format in docs/sandbox.md). When given, passwords and
   * key-pair JWTs are checked and a wrong one is refused with 390100. Default: any user and
   * any credential are accepted.
   */
  usersFile?: string;
  /** An already loaded users directory; takes precedence over `usersFile`. */
  users?: UserDirectory;
  logger?: Logger;
}

/** A running sandbox. */
export interface Sandbox {
  /** `http://host:port`: the `accessUrl` for a Snowflake driver. */
  url: string;
  port: number;
  /** Ends every session, stops the server and closes the databases. */
  close(): Promise<void>;
}

/**
 * Starts Tollgate's Snowflake-compatible sandbox: the Snowflake client REST protocol in front
 * of a DuckDB engine. See docs/sandbox.md.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const logger = options.logger ?? silentLogger();
  const users =
    options.users ?? (options.usersFile ? await UserDirectory.load(options.usersFile) : null);
  const seedSql = options.seedFile ? await readFile(options.seedFile, 'utf8') : undefined;

  const engine = await createDuckDbEngine({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(seedSql === undefined ? {} : { seedSql }),
    logger,
  });
  try {
    const server = await startSandboxServer(engine, { ...options, users, logger }, toArrowIpc);
    let closing: Promise<void> | null = null;
    return {
      url: server.url,
      port: server.port,
      // Idempotent: a second call waits for the first rather than closing DuckDB twice.
      close: () => {
        closing ??= server.close().then(() => engine.close());
        return closing;
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
