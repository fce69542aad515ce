import { quoteLiteral } from '../connections.js';
import { objectMissing, unsupported } from '../errors.js';
import { staticResult, textColumn } from '../results.js';
import type { AstNode } from '../sql/ast.js';
import { kindOf } from '../sql/ast.js';
import { STATEMENT_TYPE } from '../statement-types.js';
import type { JsonRow, StatementResult } from '../types.js';
import { columnTypeOf, typeText } from './column-types.js';
import { type CommandContext, nameParts, type QualifiedName, qualify } from './context.js';

const DESCRIBE_COLUMNS = [
  'name',
  'type',
  'kind',
  'null?',
  'default',
  'primary key',
  'unique key',
  'check',
  'expression',
  'comment',
  'policy name',
  'privacy domain',
];

/**
 * DESCRIBE TABLE / DESCRIBE VIEW (and DESC): one row per column with Snowflake's columns
 * (https://docs.snowflake.com/en/sql-reference/sql/desc-table).
 */
export async function describe(context: CommandContext, fields: AstNode): Promise<StatementResult> {
  const kind = String(fields.kind ?? 'TABLE').toUpperCase();
  if ((kind !== 'TABLE' && kind !== 'VIEW') || kindOf(fields.target) !== 'table') {
    throw unsupported(
      `DESCRIBE ${kind === 'TABLE' && kindOf(fields.target) !== 'table' ? 'of a query' : kind}`,
    );
  }

  const name = qualify(nameParts(fields.target), context.state, 'DESCRIBE');
  const columns = await describedColumns(context, name);
  if (columns.length === 0) {
    throw objectMissing('Table', `${name.database}.${name.schema}.${name.name}`);
  }
  return staticResult(STATEMENT_TYPE.describe, DESCRIBE_COLUMNS.map(textColumn), columns);
}

async function describedColumns(context: CommandContext, name: QualifiedName): Promise<JsonRow[]> {
  const keys = await keyColumns(context, name);
  const found = await context.query(
    `SELECT column_name, data_type, is_nullable, column_default, comment FROM duckdb_columns()
     WHERE database_name = ${quoteLiteral(name.database)} AND schema_name = ${quoteLiteral(name.schema)}
       AND table_name = ${quoteLiteral(name.name)}
     ORDER BY column_index`,
  );
  return found.map(([column, dataType, nullable, fallback, comment]) => [
    String(column),
    typeText(columnTypeOf(String(dataType))),
    'COLUMN',
    nullable === true ? 'Y' : 'N',
    fallback === null ? null : String(fallback),
    keys.primary.has(String(column)) ? 'Y' : 'N',
    keys.unique.has(String(column)) ? 'Y' : 'N',
    null,
    null,
    comment === null ? null : String(comment),
    null,
    null,
  ]);
}

async function keyColumns(
  context: CommandContext,
  name: QualifiedName,
): Promise<{ primary: Set<string>; unique: Set<string> }> {
  const found = await context.query(
    `SELECT constraint_type, unnest(constraint_column_names) FROM duckdb_constraints()
     WHERE database_name = ${quoteLiteral(name.database)} AND schema_name = ${quoteLiteral(name.schema)}
       AND table_name = ${quoteLiteral(name.name)}
       AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`,
  );
  const primary = new Set<string>();
  const unique = new Set<string>();
  for (const [type, column] of found) {
    (type === 'PRIMARY KEY' ? primary : unique).add(String(column));
  }
  return { primary, unique };
}
