import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Logger, silentLogger } from '../../log.js';
import { ConnectionPool, quoteIdentifier, quoteLiteral } from './connections.js';
import { DuckDbSession } from './session.js';
import type { EngineSession, OpenSessionOptions, SandboxEngine, SessionState } from './types.js';

/** Options of {@link createDuckDbEngine}. */
export interface DuckDbEngineOptions {
  /**
   * Folder holding one DuckDB file per Snowflake database, so databases survive a restart.
   * Default: none, everything lives in memory and is gone when the engine closes.
   */
  dataDir?: string;
  /** Snowflake SQL run once at start, statement by statement (the text of a `--seed` file). */
  seedSql?: string;
  /** Where the engine logs; default: a silent logger. */
  logger?: Logger;
}

/** The database and schema every fresh session starts in, as Snowflake's trial accounts do. */
export const DEFAULT_DATABASE = 'SANDBOX';
export const DEFAULT_SCHEMA = 'PUBLIC';

class DuckDbEngine implements SandboxEngine {
  readonly #instance: DuckDBInstance;
  readonly #logger: Logger;
  readonly #sessions = new Set<EngineSession>();

  constructor(instance: DuckDBInstance, logger: Logger) {
    this.#instance = instance;
    this.#logger = logger;
  }

  async openSession(options: OpenSessionOptions): Promise<EngineSession> {
    const state: SessionState = {
      user: options.user.toUpperCase(),
      role: (options.role ?? 'SYSADMIN').toUpperCase(),
      warehouse: options.warehouse?.toUpperCase() ?? 'COMPUTE_WH',
      database: options.database?.toUpperCase() ?? DEFAULT_DATABASE,
      schema: options.schema?.toUpperCase() ?? DEFAULT_SCHEMA,
      parameters: new Map(Object.entries(options.parameters ?? {})),
    };
    const session = new DuckDbSession(state, new ConnectionPool(this.#instance), this.#logger);
    this.#sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    for (const session of this.#sessions) await session.close();
    this.#sessions.clear();
    this.#instance.closeSync();
  }
}

/**
 * Starts the sandbox's SQL engine: a DuckDB instance in which each Snowflake database is an
 * attached DuckDB database, with `SANDBOX.PUBLIC` ready for a fresh session.
 */
export async function createDuckDbEngine(
  options: DuckDbEngineOptions = {},
): Promise<SandboxEngine> {
  const logger = options.logger ?? silentLogger();
  const instance = await DuckDBInstance.create(':memory:');
  await attachDefaultDatabase(instance, options.dataDir);
  const engine = new DuckDbEngine(instance, logger);
  if (options.seedSql !== undefined) await runSeed(engine, options.seedSql);
  return engine;
}

async function attachDefaultDatabase(
  instance: DuckDBInstance,
  dataDir: string | undefined,
): Promise<void> {
  const connection = await instance.connect();
  const path = dataDir === undefined ? ':memory:' : databaseFile(dataDir, DEFAULT_DATABASE);
  await connection.run(`ATTACH ${quoteLiteral(path)} AS ${quoteIdentifier(DEFAULT_DATABASE)}`);
  await connection.run(
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(DEFAULT_DATABASE)}.${quoteIdentifier(DEFAULT_SCHEMA)}`,
  );
  connection.closeSync();
}

function databaseFile(dataDir: string, name: string): string {
  mkdirSync(dataDir, { recursive: true });
  return join(dataDir, `${name}.duckdb`);
}

async function runSeed(engine: SandboxEngine, seedSql: string): Promise<void> {
  const session = await engine.openSession({ user: 'SEED' });
  try {
    for (const statement of seedSql.split(';')) {
      if (statement.trim() !== '') await session.execute(statement, []);
    }
  } finally {
    await session.close();
  }
}
