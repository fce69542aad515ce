import { quoteLiteral } from '../connections.js';
import { fractionalSeconds } from '../encode.js';
import { objectMissing, unsupported } from '../errors.js';
import { fixedColumn, ltzColumn, staticResult, textColumn } from '../results.js';
import { type AstNode, fieldsOf } from '../sql/ast.js';
import { STATEMENT_TYPE } from '../statement-types.js';
import type { JsonRow, ResultColumn, StatementResult } from '../types.js';
import { columnTypeOf, typeJson } from './column-types.js';
import {
  type CommandContext,
  currentDatabase,
  currentSchema,
  nameParts,
  qualify,
} from './context.js';

/** One row of SHOW output, by column name; missing columns are NULL. */
type ShowRow = Record<string, string | null>;

/** Where a SHOW looks: the whole account, one database, one schema or one table. */
interface Scope {
  database?: string;
  schema?: string;
  table?: string;
}

interface ShowFilter {
  like: RegExp | null;
  startsWith: string | null;
  limit: number | null;
}

/**
 * Runs SHOW DATABASES, SCHEMAS, TABLES, VIEWS, OBJECTS, COLUMNS, WAREHOUSES and PARAMETERS,
 * with Snowflake's output columns (https://docs.snowflake.com/en/sql-reference/sql/show).
 */
export async function show(context: CommandContext, fields: AstNode): Promise<StatementResult> {
  const what = String(fields.this ?? '').toUpperCase();
  const terse = fields.terse === true;
  const filter = filterOf(fields);

  const listing = await listingFor(context, what, fields, terse);
  const rows = applyFilter(listing.rows, filter);
  const columns = listing.columns.map(([name, kind]) => columnOf(name, kind));
  const json = rows.map((row) => listing.columns.map(([name]) => row[name] ?? null));
  return staticResult(STATEMENT_TYPE.show, columns, json as JsonRow[]);
}

type ColumnKind = 'text' | 'fixed' | 'ltz';

interface Listing {
  columns: [string, ColumnKind][];
  rows: ShowRow[];
}

function columnOf(name: string, kind: ColumnKind): ResultColumn {
  if (kind === 'fixed') return fixedColumn(name);
  return kind === 'ltz' ? ltzColumn(name) : textColumn(name);
}

async function listingFor(
  context: CommandContext,
  what: string,
  fields: AstNode,
  terse: boolean,
): Promise<Listing> {
  switch (what) {
    case 'DATABASES':
      return showDatabases(context, terse);
    case 'SCHEMAS':
      return showSchemas(context, scopeOf(context, fields, 'database'), terse);
    case 'TABLES':
    case 'OBJECTS':
      return showTables(context, scopeOf(context, fields, 'schema'), terse, what === 'OBJECTS');
    case 'VIEWS':
      return showViews(context, scopeOf(context, fields, 'schema'), terse);
    case 'COLUMNS':
      return showColumns(context, scopeOf(context, fields, 'schema'));
    case 'WAREHOUSES':
      return showWarehouses(context);
    case 'PARAMETERS':
      return showParameters(context);
    default:
      throw unsupported(`SHOW ${what}`);
  }
}

/** `IN ACCOUNT`, `IN DATABASE d`, `IN SCHEMA d.s`, `IN TABLE t`, or the session's default. */
function scopeOf(context: CommandContext, fields: AstNode, fallback: 'database' | 'schema'): Scope {
  const kind = String(fields.scope_kind ?? '').toUpperCase();
  const parts = nameParts(fields.scope);
  const { state } = context;
  const action = 'SHOW';

  if (kind === 'ACCOUNT') return {};
  if (kind === 'DATABASE') return { database: parts[0] ?? currentDatabase(state, action) };
  if (kind === 'TABLE' || kind === 'VIEW') {
    const name = qualify(parts, state, action);
    return { database: name.database, schema: name.schema, table: name.name };
  }
  if (kind === 'SCHEMA' || parts.length > 0) return schemaScope(parts, context);
  if (fallback === 'database') return { database: currentDatabase(state, action) };
  return { database: currentDatabase(state, action), schema: currentSchema(state, action) };
}

function schemaScope(parts: string[], context: CommandContext): Scope {
  const schema = parts[parts.length - 1] ?? currentSchema(context.state, 'SHOW');
  const database =
    parts.length >= 2 ? (parts[0] as string) : currentDatabase(context.state, 'SHOW');
  return { database, schema };
}

function filterOf(fields: AstNode): ShowFilter {
  const like = literalText(fields.like);
  const startsWith = literalText(fields.starts_with);
  const limit = literalText(fields.limit);
  return {
    like: like === null ? null : likePattern(like),
    startsWith,
    limit: limit === null ? null : Number(limit),
  };
}

function literalText(node: unknown): string | null {
  const literal = fieldsOf(node, 'literal');
  return literal === null ? null : String(literal.value);
}

/** SQL LIKE as a case-insensitive regular expression, as SHOW ... LIKE matches. */
function likePattern(pattern: string): RegExp {
  const body = [...pattern]
    .map((char) =>
      char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, 'is');
}

function applyFilter(rows: ShowRow[], filter: ShowFilter): ShowRow[] {
  const matching = rows.filter((row) => {
    const name = row.name ?? row.column_name ?? '';
    if (filter.like !== null && !filter.like.test(name)) return false;
    return filter.startsWith === null || name.startsWith(filter.startsWith);
  });
  return filter.limit === null ? matching : matching.slice(0, filter.limit);
}

function createdOn(context: CommandContext): string {
  return fractionalSeconds(BigInt(context.startedAt.getTime()) * 1_000_000n);
}

async function showDatabases(context: CommandContext, terse: boolean): Promise<Listing> {
  const { state } = context;
  const rows = (await context.catalog.databaseNames()).map((name) => ({
    created_on: createdOn(context),
    name,
    kind: 'STANDARD',
    is_default: 'N',
    is_current: name === state.database ? 'Y' : 'N',
    origin: '',
    owner: state.role,
    comment: '',
    options: '',
    retention_time: '1',
    owner_role_type: 'ROLE',
  }));
  const columns: [string, ColumnKind][] = terse
    ? [
        ['created_on', 'ltz'],
        ['name', 'text'],
        ['kind', 'text'],
      ]
    : [
        ['created_on', 'ltz'],
        ['name', 'text'],
        ['is_default', 'text'],
        ['is_current', 'text'],
        ['origin', 'text'],
        ['owner', 'text'],
        ['comment', 'text'],
        ['options', 'text'],
        ['retention_time', 'text'],
        ['kind', 'text'],
        ['owner_role_type', 'text'],
      ];
  return { columns, rows };
}

async function showSchemas(
  context: CommandContext,
  scope: Scope,
  terse: boolean,
): Promise<Listing> {
  const found = await context.query(
    `SELECT database_name, schema_name FROM duckdb_schemas()
     WHERE NOT internal AND schema_name <> 'main' ${scopeCondition(scope)}
     ORDER BY database_name, schema_name`,
  );
  const { state } = context;
  const rows = found.map(([database, schema]) => ({
    created_on: createdOn(context),
    name: String(schema),
    kind: null,
    is_default: 'N',
    is_current: database === state.database && schema === state.schema ? 'Y' : 'N',
    database_name: String(database),
    owner: state.role,
    comment: '',
    options: '',
    retention_time: '1',
    owner_role_type: 'ROLE',
  }));
  const columns: [string, ColumnKind][] = terse
    ? [
        ['created_on', 'ltz'],
        ['name', 'text'],
        ['kind', 'text'],
        ['database_name', 'text'],
        ['schema_name', 'text'],
      ]
    : [
        ['created_on', 'ltz'],
        ['name', 'text'],
        ['is_default', 'text'],
        ['is_current', 'text'],
        ['database_name', 'text'],
        ['owner', 'text'],
        ['comment', 'text'],
        ['options', 'text'],
        ['retention_time', 'text'],
        ['owner_role_type', 'text'],
      ];
  return { columns, rows };
}

/** A WHERE fragment restricting duckdb_tables()/duckdb_columns() rows to a scope. */
function scopeCondition(scope: Scope): string {
  const conditions: string[] = [];
  if (scope.database !== undefined)
    conditions.push(`database_name = ${quoteLiteral(scope.database)}`);
  if (scope.schema !== undefined) conditions.push(`schema_name = ${quoteLiteral(scope.schema)}`);
  if (scope.table !== undefined) conditions.push(`table_name = ${quoteLiteral(scope.table)}`);
  return conditions.map((condition) => `AND ${condition}`).join(' ');
}

async function ensureDatabaseExists(context: CommandContext, scope: Scope): Promise<void> {
  if (scope.database !== undefined && !(await context.catalog.hasDatabase(scope.database))) {
    throw objectMissing('Database', scope.database);
  }
}

async function showTables(
  context: CommandContext,
  scope: Scope,
  terse: boolean,
  withViews: boolean,
): Promise<Listing> {
  await ensureDatabaseExists(context, scope);
  const views = withViews
    ? `UNION ALL SELECT database_name, schema_name, view_name, 0, temporary, 'VIEW'
       FROM duckdb_views() WHERE NOT internal ${scopeCondition(scope).replaceAll('table_name', 'view_name')}`
    : '';
  const found = await context.query(
    `SELECT * FROM (
       SELECT database_name, schema_name, table_name, estimated_size, temporary, 'TABLE'
       FROM duckdb_tables() WHERE NOT internal ${scopeCondition(scope)} ${views})
     ORDER BY 3, 1, 2`,
  );
  const rows = found.map(([database, schema, table, size, temporary, kind]) => ({
    created_on: createdOn(context),
    name: String(table),
    kind: temporary === true ? 'TEMPORARY' : String(kind),
    database_name: String(database),
    schema_name: String(schema),
    comment: '',
    cluster_by: '',
    rows: String(size ?? 0),
    bytes: '0',
    owner: context.state.role,
    retention_time: '1',
    automatic_clustering: 'OFF',
    change_tracking: 'OFF',
    is_external: 'N',
    enable_schema_evolution: 'N',
    owner_role_type: 'ROLE',
  }));
  return { columns: terse ? TERSE_OBJECT_COLUMNS : TABLE_COLUMNS, rows };
}

const TERSE_OBJECT_COLUMNS: [string, ColumnKind][] = [
  ['created_on', 'ltz'],
  ['name', 'text'],
  ['kind', 'text'],
  ['database_name', 'text'],
  ['schema_name', 'text'],
];

const TABLE_COLUMNS: [string, ColumnKind][] = [
  ['created_on', 'ltz'],
  ['name', 'text'],
  ['database_name', 'text'],
  ['schema_name', 'text'],
  ['kind', 'text'],
  ['comment', 'text'],
  ['cluster_by', 'text'],
  ['rows', 'fixed'],
  ['bytes', 'fixed'],
  ['owner', 'text'],
  ['retention_time', 'text'],
  ['automatic_clustering', 'text'],
  ['change_tracking', 'text'],
  ['is_external', 'text'],
  ['enable_schema_evolution', 'text'],
  ['owner_role_type', 'text'],
];

async function showViews(context: CommandContext, scope: Scope, terse: boolean): Promise<Listing> {
  await ensureDatabaseExists(context, scope);
  const found = await context.query(
    `SELECT database_name, schema_name, view_name, sql FROM duckdb_views()
     WHERE NOT internal ${scopeCondition(scope).replaceAll('table_name', 'view_name')}
     ORDER BY view_name, database_name, schema_name`,
  );
  const rows = found.map(([database, schema, view, text]) => ({
    created_on: createdOn(context),
    name: String(view),
    kind: 'VIEW',
    reserved: '',
    database_name: String(database),
    schema_name: String(schema),
    owner: context.state.role,
    comment: '',
    text: String(text ?? ''),
    is_secure: 'false',
    is_materialized: 'false',
    owner_role_type: 'ROLE',
    change_tracking: 'OFF',
  }));
  const columns: [string, ColumnKind][] = terse
    ? TERSE_OBJECT_COLUMNS
    : [
        ['created_on', 'ltz'],
        ['name', 'text'],
        ['reserved', 'text'],
        ['database_name', 'text'],
        ['schema_name', 'text'],
        ['owner', 'text'],
        ['comment', 'text'],
        ['text', 'text'],
        ['is_secure', 'text'],
        ['is_materialized', 'text'],
        ['owner_role_type', 'text'],
        ['change_tracking', 'text'],
      ];
  return { columns, rows };
}

async function showColumns(context: CommandContext, scope: Scope): Promise<Listing> {
  await ensureDatabaseExists(context, scope);
  const found = await context.query(
    `SELECT table_name, schema_name, column_name, data_type, is_nullable, column_default,
       database_name, comment
     FROM duckdb_columns() WHERE NOT internal ${scopeCondition(scope)}
     ORDER BY database_name, schema_name, table_name, column_index`,
  );
  if (scope.table !== undefined && found.length === 0) {
    throw objectMissing('Table', `${scope.database}.${scope.schema}.${scope.table}`);
  }

  const rows = found.map(
    ([table, schema, column, dataType, nullable, fallback, database, comment]) => ({
      table_name: String(table),
      schema_name: String(schema),
      column_name: String(column),
      data_type: typeJson(columnTypeOf(String(dataType)), nullable === true),
      'null?': nullable === true ? 'true' : 'false',
      default: fallback === null ? '' : String(fallback),
      kind: 'COLUMN',
      expression: '',
      comment: comment === null ? '' : String(comment),
      database_name: String(database),
      autoincrement: '',
    }),
  );
  const columns: [string, ColumnKind][] = [
    ['table_name', 'text'],
    ['schema_name', 'text'],
    ['column_name', 'text'],
    ['data_type', 'text'],
    ['null?', 'text'],
    ['default', 'text'],
    ['kind', 'text'],
    ['expression', 'text'],
    ['comment', 'text'],
    ['database_name', 'text'],
    ['autoincrement', 'text'],
  ];
  return { columns, rows };
}

/** The sandbox has no warehouses; it shows the session's as one that is always running. */
function showWarehouses(context: CommandContext): Listing {
  const name = context.state.warehouse ?? 'COMPUTE_WH';
  const rows = [
    {
      name,
      state: 'STARTED',
      type: 'STANDARD',
      size: 'X-Small',
      is_default: 'Y',
      is_current: context.state.warehouse === name ? 'Y' : 'N',
      created_on: createdOn(context),
      owner: context.state.role,
      comment: 'Tollgate sandbox (DuckDB)',
    },
  ];
  const columns: [string, ColumnKind][] = [
    ['name', 'text'],
    ['state', 'text'],
    ['type', 'text'],
    ['size', 'text'],
    ['is_default', 'text'],
    ['is_current', 'text'],
    ['created_on', 'ltz'],
    ['owner', 'text'],
    ['comment', 'text'],
  ];
  return { columns, rows };
}

function showParameters(context: CommandContext): Listing {
  const rows = [...context.state.parameters.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({
      key,
      name: key,
      value,
      default: '',
      level: 'SESSION',
      description: '',
      type: 'STRING',
    }));
  const columns: [string, ColumnKind][] = [
    ['key', 'text'],
    ['value', 'text'],
    ['default', 'text'],
    ['level', 'text'],
    ['description', 'text'],
    ['type', 'text'],
  ];
  return { columns, rows };
}
