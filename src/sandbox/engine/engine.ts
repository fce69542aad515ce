import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Logger, silentLogger } from '../../log.js';
import { Catalog, PUBLIC_SCHEMA } from './catalog.js';
import { ConnectionPool } from './connections.js';
import { DEFAULT_PARAMETERS } from './parameters.js';
import { PlanCache } from './plan-cache.js';
import { CatalogEpoch } from './prepared.js';
import { DuckDbSession } from './session.js';
import { splitStatements } from './split.js';
import { FIXED_MACROS } from './sql/macros.js';
import type { EngineSession, OpenSessionOptions, SandboxEngine, SessionState } from './types.js';

/** Options of {@link createDuckDbEngine}. */
export interface DuckDbEngineOptions {
  /**
   * Folder holding one DuckDB file per Snowflake database (`<NAME>.duckdb`), so databases
   * survive a restart. Default: none; everything lives in memory and ends with the engine.
   */
  dataDir?: string;
  /**
   * Snowflake SQL run once at start, statement by statement, in a session on the default
   * database and schema (the text of `tollgate sandbox --seed FILE`). A failing statement fails
   * the start with its Snowflake error.
   */
  seedSql?: string;
  /** Where the engine logs; default: nowhere. */
  logger?: Logger;
}

/** The database and schema a fresh session starts in; they always exist. */
export const DEFAULT_DATABASE = 'SANDBOX';
export const DEFAULT_SCHEMA = PUBLIC_SCHEMA;

/** Role and warehouse a session reports when the login named none. */
export const DEFAULT_ROLE = 'SYSADMIN';
export const DEFAULT_WAREHOUSE = 'COMPUTE_WH';

class DuckDbEngine implements SandboxEngine {
  readonly #instance: DuckDBInstance;
  readonly #catalog: Catalog;
  readonly #logger: Logger;
  readonly #plans = new PlanCache();
  readonly #epoch = new CatalogEpoch();
  readonly #sessions = new Set<DuckDbSession>();
  readonly #startedAt = new Date();

  constructor(instance: DuckDBInstance, catalog: Catalog, logger: Logger) {
    this.#instance = instance;
    this.#catalog = catalog;
    this.#logger = logger;
  }

  async openSession(options: OpenSessionOptions): Promise<EngineSession> {
    const state = await this.#initialState(options);
    const sessionId = String(randomInt(1, 2 ** 47));
    const session: DuckDbSession = new DuckDbSession(state, {
      pool: new ConnectionPool(this.#instance, FIXED_MACROS),
      catalog: this.#catalog,
      plans: this.#plans,
      epoch: this.#epoch,
      logger: this.#logger,
      startedAt: this.#startedAt,
      sessionId,
      releaseDatabase: (name) => this.#releaseDatabase(name),
      closed: () => this.#sessions.delete(session),
    });
    this.#sessions.add(session);
    this.#logger.debug({ sessionId, user: state.user }, 'sandbox session opened');
    return session;
  }

  async close(): Promise<void> {
    for (const session of [...this.#sessions]) await session.close();
    this.#catalog.close();
    this.#instance.closeSync();
  }

  /**
   * A login's database and schema are kept only when they exist, as Snowflake does; a session
   * without them still opens. Names are Snowflake identifiers: upper-cased unless quoted.
   */
  async #initialState(options: OpenSessionOptions): Promise<SessionState> {
    const database = loginName(options.database) ?? DEFAULT_DATABASE;
    const known = await this.#catalog.hasDatabase(database);
    const schema = loginName(options.schema) ?? DEFAULT_SCHEMA;
    const parameters = new Map(Object.entries(DEFAULT_PARAMETERS));
    for (const [name, value] of Object.entries(options.parameters ?? {})) {
      parameters.set(name.toUpperCase(), String(value));
    }
    return {
      user: options.user.toUpperCase(),
      role: loginName(options.role) ?? DEFAULT_ROLE,
      warehouse: loginName(options.warehouse) ?? DEFAULT_WAREHOUSE,
      database: known ? database : null,
      schema: known && (await this.#catalog.hasSchema(database, schema)) ? schema : null,
      parameters,
    };
  }

  async #releaseDatabase(name: string): Promise<void> {
    for (const session of this.#sessions) await session.leaveDatabase(name);
  }
}

/** Login names follow identifier rules: `"Quoted"` keeps its case, others are upper-cased. */
function loginName(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) {
    return name.slice(1, -1).replaceAll('""', '"');
  }
  return name.toUpperCase();
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
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  const catalog = await Catalog.open(instance, dataDir);
  if (!(await catalog.hasDatabase(DEFAULT_DATABASE)))
    await catalog.createDatabase(DEFAULT_DATABASE);

  const engine = new DuckDbEngine(instance, catalog, logger);
  if (options.seedSql !== undefined) await runSeed(engine, options.seedSql, logger);
  logger.info({ dataDir: dataDir ?? null }, 'sandbox engine started');
  return engine;
}

async function runSeed(engine: SandboxEngine, seedSql: string, logger: Logger): Promise<void> {
  const session = await engine.openSession({ user: 'TOLLGATE_SEED' });
  try {
    const statements = splitStatements(seedSql);
    for (const statement of statements) {
      const result = await session.execute(statement, []);
      for await (const _ of result.batches()) {
        // Seed results are not needed; reading them releases the connection.
      }
    }
    logger.info({ statements: statements.length }, 'sandbox seed applied');
  } finally {
    await session.close();
  }
}
