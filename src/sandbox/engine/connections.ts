import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** The DuckDB-side settings one Snowflake session implies for every connection it uses. */
export interface ConnectionSettings {
  /** `USE` target, already quoted for DuckDB, e.g. `"SANDBOX"."PUBLIC"`; null keeps the default. */
  useTarget: string | null;
  /** IANA zone for DuckDB's TimeZone setting. */
  timeZone: string;
}

interface PooledConnection {
  connection: DuckDBConnection;
  busy: boolean;
  applied: string;
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
  readonly #connections: PooledConnection[] = [];
  #closed = false;

  constructor(instance: DuckDBInstance) {
    this.#instance = instance;
  }

  /** An idle connection with `settings` applied, marked busy until `release` is called. */
  async acquire(settings: ConnectionSettings): Promise<PooledConnection> {
    if (this.#closed) throw new TypeError('session is closed');

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

  /** Stops whatever runs on every connection of the session (statement cancel). */
  interruptAll(): void {
    for (const pooled of this.#connections) pooled.connection.interrupt();
  }

  close(): void {
    this.#closed = true;
    for (const pooled of this.#connections) pooled.connection.closeSync();
    this.#connections.length = 0;
  }

  async #open(): Promise<PooledConnection> {
    const pooled = { connection: await this.#instance.connect(), busy: false, applied: '' };
    this.#connections.push(pooled);
    return pooled;
  }
}

export type { PooledConnection };

async function applySettings(
  pooled: PooledConnection,
  settings: ConnectionSettings,
): Promise<void> {
  const key = `${settings.useTarget}\u0000${settings.timeZone}`;
  if (pooled.applied === key) return;

  if (settings.useTarget !== null) await pooled.connection.run(`USE ${settings.useTarget}`);
  await pooled.connection.run(`SET TimeZone = ${quoteLiteral(settings.timeZone)}`);
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
