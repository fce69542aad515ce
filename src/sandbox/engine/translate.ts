import { databaseStatementKind } from './commands/ddl-target.js';
import { compilationError, sqlError } from './errors.js';
import {
  type AstNode,
  fieldsOf,
  isIdentifier,
  isNode,
  kindOf,
  quotedIdentifier,
  rewrite,
  snowflakeName,
} from './sql/ast.js';
import { selectItemNames } from './sql/column-names.js';
import { duckDbTypeFor, isDataType } from './sql/data-types.js';
import { rewriteFlatten } from './sql/flatten.js';
import { rewriteFunctions } from './sql/functions.js';
import { Dialect, generate, parse, transpile } from './sql/polyglot.js';
import { typeHintOf } from './sql/type-hints.js';
import { STATEMENT_TYPE } from './statement-types.js';
import type { SnowflakeType } from './types.js';

/** One Snowflake statement, parsed. */
export interface ParsedStatement {
  /** The statement's text as the client sent it. */
  sql: string;
  /** The root node's kind: `select`, `insert`, `show`, `use`, `create_table`, ... */
  kind: string;
  /** The root node's fields. */
  fields: AstNode;
  /** The whole tree (an array of one statement), for rewriting. */
  ast: unknown[];
}

/** How a query or DML/DDL statement runs on DuckDB. */
export interface QueryPlan {
  duckSql: string;
  statementTypeId: number;
  /** Number of positional binds the statement takes (`?`, `:1`, ...). */
  bindCount: number;
  /**
   * Snowflake types of result columns, by position, where DuckDB's type is ambiguous (JSON for
   * OBJECT, ARRAY and VARIANT; TIMESTAMPTZ for TIMESTAMP_TZ and _LTZ). Empty when none apply.
   */
  columnTypes: (SnowflakeType | undefined)[];
  /** The `status` Snowflake answers a statement without rows with; null for queries and DML. */
  status: string | null;
}

/** Parses one Snowflake statement, rejecting text that is empty or holds several. */
export function parseSnowflake(sql: string): ParsedStatement {
  const result = parse(sql, Dialect.Snowflake);
  if (!result.success) {
    const kind = databaseStatementKind(sql);
    if (kind !== null) return { sql, kind, fields: {}, ast: [] };
  }
  if (!result.success || !Array.isArray(result.ast)) throw syntaxError(sql, result);

  const statements = result.ast as unknown[];
  if (statements.length === 0) throw sqlError('emptyStatement', 'Empty SQL statement.');
  if (statements.length > 1) {
    throw sqlError(
      'statementCount',
      `Actual statement count ${statements.length} did not match the desired statement count 1.`,
    );
  }

  const kind = kindOf(statements[0]);
  const fields = kind === null ? null : fieldsOf(statements[0], kind);
  if (kind === null || fields === null) throw syntaxError(sql, result);
  return { sql, kind, fields, ast: statements };
}

interface ParseFailure {
  error?: string | null;
  errorLine?: number;
  errorColumn?: number;
  errorStart?: number;
  errorEnd?: number;
}

/** Snowflake's wording: `syntax error line 1 at position 6 unexpected 'x'.` */
function syntaxError(sql: string, failure: ParseFailure): Error {
  const line = failure.errorLine ?? 1;
  const position = Math.max(0, (failure.errorColumn ?? 1) - 1);
  const near =
    failure.errorStart === undefined ? '' : sql.slice(failure.errorStart, failure.errorEnd);
  const what = near.trim() === '' ? 'unexpected end of input' : `unexpected '${near.trim()}'`;
  return compilationError('syntax', `syntax error line ${line} at position ${position} ${what}.`);
}

const QUERY_KINDS = new Set(['select', 'union', 'intersect', 'except', 'with', 'values']);

/** The statementTypeId of a statement that runs on DuckDB, from its root kind. */
export function statementTypeOf(kind: string): number {
  if (QUERY_KINDS.has(kind)) return STATEMENT_TYPE.select;
  switch (kind) {
    case 'insert':
      return STATEMENT_TYPE.insert;
    case 'update':
      return STATEMENT_TYPE.update;
    case 'delete':
      return STATEMENT_TYPE.delete;
    case 'merge':
      return STATEMENT_TYPE.merge;
    case 'transaction':
    case 'commit':
    case 'rollback':
      return STATEMENT_TYPE.transaction;
    default:
      return STATEMENT_TYPE.ddl;
  }
}

/**
 * Turns a parsed Snowflake statement into DuckDB SQL. The Snowflake tree is adjusted first
 * (identifier case, storage types, binds, result column names, functions polyglot-sql translates
 * differently) and then transpiled by polyglot-sql in one step.
 */
export function planQuery(statement: ParsedStatement): QueryPlan {
  const columnTypes = columnTypeHints(statement);
  rewriteFlatten(statement.ast);
  rewriteFunctions(statement.ast);
  nameSelectItems(statement);
  const status = statusOf(statement);
  const bindCount = normalizeTree(statement.ast);
  return {
    duckSql: transpileToDuckDb(generateSnowflake(statement.ast)),
    statementTypeId: statementTypeOf(statement.kind),
    bindCount,
    columnTypes,
    status,
  };
}

function columnTypeHints(statement: ParsedStatement): (SnowflakeType | undefined)[] {
  const items = outerSelect(statement.ast[0])?.expressions;
  if (!Array.isArray(items)) return [];
  const hints = items.map(typeHintOf);
  return hints.some((hint) => hint !== undefined) ? hints : [];
}

/** Snowflake's wording for DDL outcomes: `Table T successfully created.` and the like. */
function statusOf(statement: ParsedStatement): string | null {
  const { kind, fields } = statement;
  const type = statementTypeOf(kind);
  if (type === STATEMENT_TYPE.transaction) return 'Statement executed successfully.';
  if (type !== STATEMENT_TYPE.ddl) return null;

  const names = Array.isArray(fields.names) ? fields.names : [fields.name];
  const name = objectName(names[0]);
  switch (kind) {
    case 'create_table':
      return `Table ${name} successfully created.`;
    case 'create_view':
      return `View ${name} successfully created.`;
    case 'drop_table':
    case 'drop_view':
      return `${name} successfully dropped.`;
    default:
      return 'Statement executed successfully.';
  }
}

/** The last part of a table reference, as Snowflake names it in messages. */
function objectName(node: unknown): string {
  const table = fieldsOf(node, 'table') ?? (isNode(node) ? node : null);
  return table !== null && isIdentifier(table.name) ? snowflakeName(table.name) : '';
}

function generateSnowflake(ast: unknown[]): string {
  const result = generate(ast, Dialect.Snowflake);
  if (!result.success || !result.sql) throw translationError(result.error);
  return result.sql.join(';\n');
}

function transpileToDuckDb(sql: string): string {
  const result = transpile(sql, Dialect.Snowflake, Dialect.DuckDB);
  if (!result.success || !result.sql || result.sql.length !== 1)
    throw translationError(result.error);
  return result.sql[0] as string;
}

/** A statement the parser accepted but the translation cannot express in DuckDB. */
function translationError(detail: string | null | undefined): Error {
  const reason = detail ? ` (${detail.split('\n', 1)[0]})` : '';
  return compilationError(
    'unsupported',
    `Unsupported feature: this statement cannot run in the sandbox${reason}.`,
  );
}

/**
 * One pass over the Snowflake tree. Unquoted identifiers become quoted upper-case ones, as
 * Snowflake resolves them (done before polyglot-sql quotes DuckDB keywords such as `index` in
 * their given case); types become their DuckDB storage; `?` and `:n` binds become `$n`.
 * Returns the number of binds the statement takes.
 */
function normalizeTree(ast: unknown[]): number {
  let nextPlaceholder = 1;
  let bindCount = 0;
  rewrite(ast, (node) => {
    if (isIdentifier(node)) return node.quoted ? undefined : quotedIdentifier(snowflakeName(node));
    if (isDataType(node)) return duckDbTypeFor(node);

    const index = bindIndex(node, () => nextPlaceholder++);
    if (index === null) return undefined;
    bindCount = Math.max(bindCount, index);
    return dollarParameter(index);
  });
  return bindCount;
}

function bindIndex(node: AstNode, next: () => number): number | null {
  if (fieldsOf(node, 'placeholder') !== null) return next();

  const parameter = fieldsOf(node, 'parameter');
  if (parameter === null || typeof parameter.index !== 'number') return null;
  return parameter.style === 'Colon' ? parameter.index : null;
}

function dollarParameter(index: number): AstNode {
  return {
    parameter: {
      name: null,
      index,
      style: 'Dollar',
      quoted: false,
      string_quoted: false,
      expression: null,
    },
  };
}

/** The outermost SELECT of a query (the first branch of a UNION), or null. */
function outerSelect(root: unknown): AstNode | null {
  const kind = kindOf(root);
  if (kind === 'select') return fieldsOf(root, 'select');
  if (kind === 'union' || kind === 'intersect' || kind === 'except') {
    return outerSelect(fieldsOf(root, kind)?.left);
  }
  return null;
}

const SELF_NAMED = new Set(['alias', 'column', 'star']);

/**
 * Gives unaliased expressions of the outer SELECT the name Snowflake gives them (the expression's
 * text, upper-cased) by aliasing them, so DuckDB reports the same column names.
 */
function nameSelectItems(statement: ParsedStatement): void {
  const items = outerSelect(statement.ast[0])?.expressions;
  if (!Array.isArray(items) || items.every((item) => SELF_NAMED.has(kindOf(item) ?? ''))) return;

  const texts = selectItemNames(statement.sql);
  if (texts === null || texts.length !== items.length) return;
  items.forEach((item, i) => {
    if (!SELF_NAMED.has(kindOf(item) ?? '')) items[i] = aliased(item, texts[i] as string);
  });
}

function aliased(expression: unknown, name: string): AstNode {
  return {
    alias: {
      this: expression,
      alias: quotedIdentifier(name),
      column_aliases: [],
      alias_explicit_as: true,
      pre_alias_comments: [],
      trailing_comments: [],
    },
  };
}
