import { quoteLiteral } from '../connections.js';
import { compilationError, objectMissing, unsupported } from '../errors.js';
import { checkParameter, DEFAULT_PARAMETERS, invalidValue } from '../parameters.js';
import { statusResult } from '../results.js';
import { type AstNode, fieldsOf, isIdentifier, snowflakeName } from '../sql/ast.js';
import { STATEMENT_TYPE } from '../statement-types.js';
import type { StatementResult } from '../types.js';
import { type CommandContext, currentDatabase, nameParts } from './context.js';

const DONE = 'Statement executed successfully.';

/** USE [DATABASE | SCHEMA | WAREHOUSE | ROLE] name. Warehouses and roles are taken as given. */
export async function use(context: CommandContext, fields: AstNode): Promise<StatementResult> {
  const kind = String(fields.kind ?? 'Database').toUpperCase();
  const parts = nameParts(fields.this);
  const { state } = context;

  switch (kind) {
    case 'DATABASE':
      if (parts.length === 2) return useSchema(context, parts);
      return useDatabase(context, parts[0] ?? '');
    case 'SCHEMA':
      return useSchema(context, parts);
    case 'WAREHOUSE':
      state.warehouse = parts.join('.');
      context.settingsChanged();
      return statusResult(STATEMENT_TYPE.useWarehouse, DONE);
    case 'ROLE':
      state.role = parts.join('.');
      context.settingsChanged();
      return statusResult(STATEMENT_TYPE.use, DONE);
    case 'SECONDARY ROLES':
    case 'SECONDARY_ROLES':
      return statusResult(STATEMENT_TYPE.use, DONE);
    default:
      throw unsupported(`USE ${kind}`);
  }
}

/** Snowflake moves a session to a database's PUBLIC schema when it has one. */
async function useDatabase(context: CommandContext, database: string): Promise<StatementResult> {
  if (!(await context.catalog.hasDatabase(database))) throw objectMissing('Database', database);

  const schemas = await schemasOf(context, database);
  context.state.database = database;
  context.state.schema = schemas.includes('PUBLIC') ? 'PUBLIC' : null;
  context.settingsChanged();
  return statusResult(STATEMENT_TYPE.useDatabase, DONE);
}

async function useSchema(context: CommandContext, parts: string[]): Promise<StatementResult> {
  const schema = parts[parts.length - 1] ?? '';
  const database =
    parts.length === 2 ? (parts[0] as string) : currentDatabase(context.state, 'USE SCHEMA');
  if (!(await context.catalog.hasDatabase(database))) throw objectMissing('Database', database);
  if (!(await schemasOf(context, database)).includes(schema)) {
    throw objectMissing('Schema', `${database}.${schema}`);
  }

  context.state.database = database;
  context.state.schema = schema;
  context.settingsChanged();
  return statusResult(STATEMENT_TYPE.useSchema, DONE);
}

export async function schemasOf(context: CommandContext, database: string): Promise<string[]> {
  const rows = await context.query(
    `SELECT schema_name FROM duckdb_schemas() WHERE database_name = ${quoteLiteral(database)}`,
  );
  return rows.map(([schema]) => String(schema));
}

/**
 * ALTER SESSION SET name = value [, ...] and ALTER SESSION UNSET name [, ...]. Values are kept
 * in the session's parameters; TIMEZONE also becomes DuckDB's TimeZone setting.
 */
export async function alterSession(
  context: CommandContext,
  fields: AstNode,
): Promise<StatementResult> {
  const items = Array.isArray(fields.expressions) ? fields.expressions : [];
  const unset = fieldsOf(fields.unset, 'boolean')?.value === true;

  const changes = unset ? items.map(unsetItem) : items.map(setItem);
  for (const [name, value] of changes) {
    if (name === 'TIMEZONE' && value !== null) await checkTimeZone(context, value);
  }
  for (const [name, value] of changes) applyParameter(context, name, value);

  context.settingsChanged();
  return statusResult(STATEMENT_TYPE.alterSession, DONE);
}

function setItem(item: unknown): [string, string] {
  const fields = fieldsOf(item, 'set_item');
  const name = parameterName(fieldsOf(fields?.name, 'column')?.name ?? fields?.name);
  const value = parameterValue(fields?.value);
  return [name, checkParameter(name, value)];
}

function unsetItem(item: unknown): [string, null] {
  const name = parameterName(fieldsOf(item, 'identifier') ?? fieldsOf(item, 'column')?.name);
  checkParameter(name, DEFAULT_PARAMETERS[name] ?? '');
  return [name, null];
}

function parameterName(node: unknown): string {
  if (isIdentifier(node)) return snowflakeName(node).toUpperCase();
  throw compilationError('syntax', 'syntax error line 1 at position 0 unexpected parameter name.');
}

/** A parameter value: a string, number or boolean literal, or a bare word (`= JSON`). */
function parameterValue(node: unknown): string {
  const literal = fieldsOf(node, 'literal');
  if (literal !== null) return String(literal.value);

  const boolean = fieldsOf(node, 'boolean');
  if (boolean !== null) return String(boolean.value === true);

  const word = fieldsOf(node, 'var');
  if (word !== null) return String(word.this);

  const column = fieldsOf(node, 'column');
  if (column !== null && isIdentifier(column.name)) return column.name.name;
  if (isIdentifier(node)) return node.name;
  throw compilationError('syntax', 'syntax error line 1 at position 0 unexpected parameter value.');
}

/** Unset parameters go back to their default, or away when they have none. */
function applyParameter(context: CommandContext, name: string, value: string | null): void {
  const parameters = context.state.parameters;
  const stored = value ?? DEFAULT_PARAMETERS[name];
  if (stored === undefined) parameters.delete(name);
  else parameters.set(name, stored);
}

/** DuckDB knows the IANA zones Snowflake accepts; asking it rejects a bad name early. */
async function checkTimeZone(context: CommandContext, zone: string): Promise<void> {
  try {
    await context.query(
      `SELECT CAST(TIMESTAMPTZ '2000-01-01 00:00:00+00' AT TIME ZONE ${quoteLiteral(zone)} AS VARCHAR)`,
    );
  } catch {
    throw invalidValue('TIMEZONE', zone);
  }
}
