import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * An engine-wide counter of changes that can leave a prepared statement stale: DDL, USE,
 * ALTER SESSION, transactions, anything but a query, from any session. Connections compare it
 * with the value their prepared statements were made under and drop them when it moved.
 */
export class CatalogEpoch {
  #value = 0;

  get value(): number {
    return this.#value;
  }

  advance(): void {
    this.#value += 1;
  }
}

/**
 * The prepared queries of one DuckDB connection, by their DuckDB SQL, least recently used first
 * out. Preparing is most of DuckDB's cost for a small query, and clients repeat their queries.
 * A statement belongs to its connection, so it is never shared with another session; bind
 * values are cleared and bound again on every execution.
 */
export class PreparedStatements {
  readonly #connection: DuckDBConnection;
  readonly #capacity: number;
  readonly #statements = new Map<string, DuckDBPreparedStatement>();
  #epoch = -1;

  /** `capacity` statements are kept per connection (default 16). */
  constructor(connection: DuckDBConnection, capacity = 16) {
    this.#connection = connection;
    this.#capacity = capacity;
  }

  /**
   * The prepared form of `sql`, made now or reused; null when `sql` holds several statements
   * and must be run as a script. Statements made before `epoch` are dropped first.
   */
  async get(sql: string, epoch: number): Promise<DuckDBPreparedStatement | null> {
    if (epoch !== this.#epoch) {
      this.clear();
      this.#epoch = epoch;
    }

    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    return this.#prepare(sql);
  }

  /** Destroys every statement (settings changed, the catalog moved, or the connection closes). */
  clear(): void {
    for (const statement of this.#statements.values()) statement.destroySync();
    this.#statements.clear();
  }

  async #prepare(sql: string): Promise<DuckDBPreparedStatement | null> {
    const extracted = await this.#connection.extractStatements(sql);
    if (extracted.count !== 1) return null;

    const statement = await extracted.prepare(0);
    this.#statements.set(sql, statement);
    this.#evictOverCapacity();
    return statement;
  }

  #evictOverCapacity(): void {
    if (this.#statements.size <= this.#capacity) return;

    const [oldest, statement] = this.#statements.entries().next().value ?? [];
    if (oldest === undefined || statement === undefined) return;
    this.#statements.delete(oldest);
    statement.destroySync();
  }
}
