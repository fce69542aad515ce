/**
 * The contract between the sandbox's REST server (src/sandbox/server) and its DuckDB engine
 * (src/sandbox/engine). The server speaks Snowflake's protocol; the engine speaks Snowflake SQL
 * and answers in Snowflake's result model, so neither knows the other's internals.
 */

/** Snowflake's result column types, lower case as they appear in `rowtype[].type`. */
export type SnowflakeType =
  | 'fixed'
  | 'real'
  | 'text'
  | 'boolean'
  | 'date'
  | 'time'
  | 'timestamp_ntz'
  | 'timestamp_ltz'
  | 'timestamp_tz'
  | 'binary'
  | 'variant'
  | 'object'
  | 'array';

/** One entry of a reply's `rowtype`. */
export interface ResultColumn {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: SnowflakeType;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  nullable: boolean;
  collation: null;
}

/** A row as Snowflake's JSON rowset encodes it: every value a string, or null. */
export type JsonRow = (string | null)[];

/** A positional bind exactly as a driver sends it in `bindings["1"]`. */
export interface Bind {
  type: string;
  /** A scalar, or an array for array binds (one statement execution per element). */
  value: string | null | (string | null)[];
}

/** Session state the engine keeps and the server reports as `final*Name` and `parameters`. */
export interface SessionState {
  user: string;
  role: string;
  warehouse: string | null;
  database: string | null;
  schema: string | null;
  /** Session parameters by upper-case name: QUERY_TAG, TIMEZONE, the *_OUTPUT_FORMAT ones, ... */
  parameters: Map<string, string>;
}

export interface OpenSessionOptions {
  user: string;
  role?: string;
  warehouse?: string;
  database?: string;
  schema?: string;
  parameters?: Record<string, string>;
}

/** What one executed statement produced. Rows are pulled, never held whole in memory. */
export interface StatementResult {
  /** Snowflake's statementTypeId: 0x1000 SELECT, 0x3100.. DML, 0x6000.. DDL, ... */
  statementTypeId: number;
  columns: ResultColumn[];
  /** Rows in batches, as JSON rowset values. Call once. */
  batches(): AsyncIterable<JsonRow[]>;
  /** Rows affected, for DML; null otherwise. */
  rowsAffected: number | null;
}

/** A failure with Snowflake's error code and SQL state, safe to send to the client. */
export class SnowflakeSqlError extends Error {
  readonly code: string;
  readonly sqlState: string;

  constructor(code: string, sqlState: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnowflakeSqlError';
    this.code = code;
    this.sqlState = sqlState;
  }
}

export interface EngineSession {
  readonly state: SessionState;
  /** Runs one statement. Rejects with SnowflakeSqlError for anything the client caused. */
  execute(sqlText: string, binds: Bind[], signal?: AbortSignal): Promise<StatementResult>;
  close(): Promise<void>;
}

export interface SandboxEngine {
  openSession(options: OpenSessionOptions): Promise<EngineSession>;
  close(): Promise<void>;
}
