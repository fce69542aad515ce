import type { DuckDBValue } from '@duckdb/node-api';
import type { Catalog } from '../catalog.js';
import { compilationError, sqlError } from '../errors.js';
import {
  type AstNode,
  fieldsOf,
  type Identifier,
  isIdentifier,
  snowflakeName,
} from '../sql/ast.js';
import type { SessionState } from '../types.js';

/** What a command (SHOW, USE, ALTER SESSION, ...) may use of its session. */
export interface CommandContext {
  readonly state: SessionState;
  readonly catalog: Catalog;
  /** The text of the statement being run. */
  readonly sql: string;
  /** When the engine started; SHOW reports it as `created_on`, DuckDB keeps no creation time. */
  readonly startedAt: Date;
  /** Runs engine-made SQL (never client text) on one of the session's connections. */
  query(sql: string): Promise<DuckDBValue[][]>;
  /** Applies session changes (database, schema, time zone) to the session's connections. */
  settingsChanged(): void;
  /** Moves every session of the engine off a database, so it can be dropped. */
  releaseDatabase(name: string): Promise<void>;
}

/** A database, schema or object name with every part resolved against the session. */
export interface QualifiedName {
  database: string;
  schema: string;
  name: string;
}

/** The parts of a table reference node (`db.schema.name`), upper-cased where unquoted. */
export function nameParts(node: unknown): string[] {
  if (isIdentifier(node)) return splitDotted(node);
  const table = fieldsOf(node, 'table') ?? (node as AstNode | null);
  if (table === null || typeof table !== 'object') return [];

  const parts = [table.catalog, table.schema, table.name].filter(isIdentifier) as Identifier[];
  return parts.flatMap(splitDotted);
}

/**
 * Some commands (`USE SCHEMA db.s`) arrive as one unquoted identifier holding dots. Quoted
 * identifiers are never split.
 */
function splitDotted(identifier: Identifier): string[] {
  if (identifier.quoted || !identifier.name.includes('.')) return [snowflakeName(identifier)];
  return identifier.name.split('.').map((part) => unquotePart(part.trim()));
}

function unquotePart(part: string): string {
  if (part.startsWith('"') && part.endsWith('"') && part.length >= 2) {
    return part.slice(1, -1).replaceAll('""', '"');
  }
  return part.toUpperCase();
}

/** The current database, or Snowflake's error for a session without one. */
export function currentDatabase(state: SessionState, action: string): string {
  if (state.database !== null) return state.database;
  throw sqlError(
    'noDatabase',
    `Cannot perform ${action}. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.`,
  );
}

/** The current schema, or Snowflake's error for a session without one. */
export function currentSchema(state: SessionState, action: string): string {
  if (state.schema !== null) return state.schema;
  throw sqlError(
    'noDatabase',
    `Cannot perform ${action}. This session does not have a current schema. Call 'USE SCHEMA', or use a qualified name.`,
  );
}

/** Resolves `name`, `schema.name` or `db.schema.name` against the session. */
export function qualify(parts: string[], state: SessionState, action: string): QualifiedName {
  const name = parts[parts.length - 1];
  if (name === undefined || parts.length > 3) {
    throw compilationError(
      'syntax',
      `syntax error line 1 at position 0 unexpected '${parts.join('.')}'.`,
    );
  }
  const schema =
    parts.length >= 2 ? (parts[parts.length - 2] as string) : currentSchema(state, action);
  const database = parts.length === 3 ? (parts[0] as string) : currentDatabase(state, action);
  return { database, schema, name };
}
