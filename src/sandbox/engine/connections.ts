import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { PreparedStatements } from './prepared.js';

/** The DuckDB-side settings one Snowflake session implies for every connection it uses. */
export interface ConnectionSettings {
  /** `USE` target, already quoted for DuckDB, e.g. `"SANDBOX"."PUBLIC"`; null keeps the default. */
  useTarget: string | null;
  /** IANA zone for DuckDB's TimeZone setting. */
  timeZone: string;
  /** Statements that depend on the session (the CURRENT_USER() macros and the like). */
  sessionSql: string[];
}

interface PooledConnection {
  connection: DuckDBConnection;
  busy: boolean;
  applied: string;
  /** Queries prepared on this connection; dropped whenever its settings change. */
  prepared: PreparedStatements;
}

/**
 * The DuckDB connections behind one Snowflake session.
 *
 * A streaming DuckDB result lives on its connection until it is read to the end, and running
 * another statement on that connection silently ends the stream early. Snowflake lets a client
 * run statements while an earlier result is still being fetched, so a session keeps one
 * connection per open result and hands out an idle one, re-applying the session's settings.
 */
export class ConnectionPool {
  readonly #instance: DuckDBInstance;
  readonly #setupSql: readonly string[];
  readonly #connections: PooledConnection[] = [];
  #closed = false;

  /** `setupSql` runs once on each new connection (the engine's TEMP macros). */
  constructor(instance: DuckDBInstance, setupSql: readonly string[]) {
    this.#instance = instance;
    this.#setupSql = setupSql;
  }

  /** An idle connection with `settings` applied, marked busy until `release` is called. */
  async acquire(settings: ConnectionSettings): Promise<PooledConnection> {
    if (this.#closed) throw new TypeError('session is closed');

    // The first connection is preferred, so a session's transaction stays on one connection.
    const pooled = this.#connections.find((c) => !c.busy) ?? (await this.#open());
    pooled.busy = true;
    try {
      await applySettings(pooled, settings);
    } catch (error) {
      pooled.busy = false;
      throw error;
    }
    return pooled;
  }

  release(pooled: PooledConnection): void {
    pooled.busy = false;
  }

  /**
   * Points idle connections that use `quotedDatabase` back at DuckDB's own in-memory database,
   * which DuckDB requires before the database can be detached.
   */
  async leaveDatabase(quotedDatabase: string): Promise<void> {
    for (const pooled of this.#connections) {
      if (pooled.busy || !pooled.applied.startsWith(quotedDatabase)) continue;
      pooled.prepared.clear();
      await pooled.connection.run('USE memory.main');
      pooled.applied = '';
    }
  }

  /** Stops whatever runs on every connection of the session (statement cancel). */
  interruptAll(): void {
    for (const pooled of this.#connections) pooled.connection.interrupt();
  }

  close(): void {
    this.#closed = true;
    for (const pooled of this.#connections) {
      pooled.prepared.clear();
      pooled.connection.closeSync();
    }
    this.#connections.length = 0;
  }

  async #open(): Promise<PooledConnection> {
    const connection = await this.#instance.connect();
    for (const sql of this.#setupSql) await connection.run(sql);

    const pooled = {
      connection,
      busy: false,
      applied: '',
      prepared: new PreparedStatements(connection),
    };
    this.#connections.push(pooled);
    return pooled;
  }
}

export type { PooledConnection };

async function applySettings(
  pooled: PooledConnection,
  settings: ConnectionSettings,
): Promise<void> {
  const key = [settings.useTarget, settings.timeZone, ...settings.sessionSql].join('\u0000');
  if (pooled.applied === key) return;

  // A statement prepared under another schema or time zone could resolve names differently.
  pooled.prepared.clear();
  pooled.applied = '';
  const { connection } = pooled;
  if (settings.useTarget !== null) await connection.run(`USE ${settings.useTarget}`);
  await connection.run(`SET TimeZone = ${quoteLiteral(settings.timeZone)}`);
  for (const sql of settings.sessionSql) await connection.run(sql);
  pooled.applied = key;
}

/** A SQL string literal with embedded quotes doubled. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A DuckDB identifier, always quoted so case is kept exactly. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
