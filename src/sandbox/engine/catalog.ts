import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from './connections.js';
import { compilationError, objectMissing } from './errors.js';

const FILE_SUFFIX = '.duckdb';

/** DuckDB's own catalogs, which are not Snowflake databases. */
const INTERNAL_CATALOGS = new Set(['memory', 'system', 'temp']);

/** Every Snowflake database has these schemas; PUBLIC is where a fresh session lands. */
export const PUBLIC_SCHEMA = 'PUBLIC';

/**
 * Snowflake databases as DuckDB attached databases: in memory, or one file per database under
 * `dataDir` (`<name>.duckdb`, the name URI-encoded) so they survive a restart.
 */
export class Catalog {
  readonly #connection: DuckDBConnection;
  readonly #dataDir: string | undefined;

  private constructor(connection: DuckDBConnection, dataDir: string | undefined) {
    this.#connection = connection;
    this.#dataDir = dataDir;
  }

  /** Attaches the databases found in `dataDir`, then locks DuckDB out of every other file. */
  static async open(instance: DuckDBInstance, dataDir: string | undefined): Promise<Catalog> {
    const catalog = new Catalog(await instance.connect(), dataDir);
    for (const name of catalog.#storedDatabases()) await catalog.#attach(name);
    await catalog.#restrictFileAccess();
    return catalog;
  }

  /** Names of the Snowflake databases, sorted. */
  async databaseNames(): Promise<string[]> {
    const reader = await this.#connection.runAndReadAll(
      'SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY database_name',
    );
    return reader
      .getRows()
      .map((row) => String(row[0]))
      .filter((name) => !INTERNAL_CATALOGS.has(name));
  }

  async hasDatabase(name: string): Promise<boolean> {
    return (await this.databaseNames()).includes(name);
  }

  async hasSchema(database: string, schema: string): Promise<boolean> {
    const reader = await this.#connection.runAndReadAll(
      `SELECT 1 FROM duckdb_schemas() WHERE database_name = ${quoteLiteral(database)}
       AND schema_name = ${quoteLiteral(schema)}`,
    );
    return reader.currentRowCount > 0;
  }

  /** Creates a database with its PUBLIC schema. */
  async createDatabase(name: string): Promise<void> {
    if (await this.hasDatabase(name)) {
      throw compilationError('objectExists', `Object '${name}' already exists.`);
    }
    await this.#attach(name);
    await this.#connection.run(
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(name)}.${quoteIdentifier(PUBLIC_SCHEMA)}`,
    );
  }

  /** Detaches a database and deletes its file, if it has one. */
  async dropDatabase(name: string): Promise<void> {
    if (!(await this.hasDatabase(name))) throw objectMissing('Database', name);

    await this.#connection.run(`DETACH ${quoteIdentifier(name)}`);
    const path = this.#fileOf(name);
    if (path !== null) {
      rmSync(path, { force: true });
      rmSync(`${path}.wal`, { force: true });
    }
  }

  close(): void {
    this.#connection.closeSync();
  }

  async #attach(name: string): Promise<void> {
    const path = this.#fileOf(name) ?? ':memory:';
    await this.#connection.run(`ATTACH ${quoteLiteral(path)} AS ${quoteIdentifier(name)}`);
  }

  #fileOf(name: string): string | null {
    if (this.#dataDir === undefined) return null;
    mkdirSync(this.#dataDir, { recursive: true });
    return join(this.#dataDir, `${encodeURIComponent(name)}${FILE_SUFFIX}`);
  }

  #storedDatabases(): string[] {
    if (this.#dataDir === undefined || !existsSync(this.#dataDir)) return [];
    return readdirSync(this.#dataDir)
      .filter((file) => file.endsWith(FILE_SUFFIX))
      .map((file) => decodeURIComponent(file.slice(0, -FILE_SUFFIX.length)));
  }

  /**
   * Statements come from clients, and DuckDB would read any file or URL they name
   * (`read_csv('/etc/passwd')`). Only the data folder stays reachable, for new databases.
   */
  async #restrictFileAccess(): Promise<void> {
    const allowed = this.#dataDir === undefined ? '[]' : `[${quoteLiteral(`${this.#dataDir}/`)}]`;
    await this.#connection.run(`SET allowed_directories = ${allowed}`);
    await this.#connection.run('SET enable_external_access = false');
    await this.#connection.run('SET autoinstall_known_extensions = false');
    await this.#connection.run('SET autoload_known_extensions = false');
  }
}
