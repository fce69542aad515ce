import { Dialect, tokenize } from '@polyglot-sql/sdk';
import { quoteIdentifier } from '../connections.js';
import { compilationError, objectMissing, unsupported } from '../errors.js';
import { statusResult } from '../results.js';
import type { AstNode } from '../sql/ast.js';
import { STATEMENT_TYPE } from '../statement-types.js';
import type { StatementResult } from '../types.js';
import { type CommandContext, currentDatabase, nameParts } from './context.js';
import { schemasOf } from './session-commands.js';

/**
 * CREATE [OR REPLACE] DATABASE [IF NOT EXISTS] name. As in Snowflake, the new database (and its
 * PUBLIC schema) becomes the session's current one.
 */
export async function createDatabase(
  context: CommandContext,
  fields: AstNode,
): Promise<StatementResult> {
  if (fields.clone_from !== null && fields.clone_from !== undefined)
    throw unsupported('CREATE DATABASE ... CLONE');

  const name = nameParts(fields.name)[0] ?? '';
  const exists = await context.catalog.hasDatabase(name);
  if (exists && fields.if_not_exists === true) {
    return statusResult(STATEMENT_TYPE.ddl, `${name} already exists, statement succeeded.`);
  }
  if (exists && statementReplaces(context)) {
    await context.releaseDatabase(name);
    await context.catalog.dropDatabase(name);
  }
  await context.catalog.createDatabase(name);

  context.state.database = name;
  context.state.schema = 'PUBLIC';
  context.settingsChanged();
  return statusResult(STATEMENT_TYPE.ddl, `Database ${name} successfully created.`);
}

/** DROP DATABASE [IF EXISTS] name; a session inside it is left without a database. */
export async function dropDatabase(
  context: CommandContext,
  fields: AstNode,
): Promise<StatementResult> {
  const name = nameParts(fields.name)[0] ?? '';
  if (!(await context.catalog.hasDatabase(name)) && fields.if_exists === true) {
    return statusResult(
      STATEMENT_TYPE.ddl,
      `Drop statement executed successfully (${name} already dropped).`,
    );
  }

  await context.releaseDatabase(name);
  await context.catalog.dropDatabase(name);
  return statusResult(STATEMENT_TYPE.ddl, `${name} successfully dropped.`);
}

/** CREATE [OR REPLACE] SCHEMA [IF NOT EXISTS] [db.]name; the new schema becomes current. */
export async function createSchema(
  context: CommandContext,
  fields: AstNode,
): Promise<StatementResult> {
  if (fields.clone_from !== null && fields.clone_from !== undefined)
    throw unsupported('CREATE SCHEMA ... CLONE');

  const { database, schema } = schemaName(context, fields.name);
  const exists = (await schemasOf(context, database)).includes(schema);
  if (exists && fields.if_not_exists === true) {
    return statusResult(STATEMENT_TYPE.ddl, `${schema} already exists, statement succeeded.`);
  }
  if (exists && statementReplaces(context)) {
    await context.query(`DROP SCHEMA ${qualified(database, schema)} CASCADE`);
  } else if (exists) {
    throw compilationError('objectExists', `Object '${schema}' already exists.`);
  }

  await context.query(`CREATE SCHEMA ${qualified(database, schema)}`);
  context.state.database = database;
  context.state.schema = schema;
  context.settingsChanged();
  return statusResult(STATEMENT_TYPE.ddl, `Schema ${schema} successfully created.`);
}

/** DROP SCHEMA [IF EXISTS] [db.]name, with what it holds, as Snowflake's default CASCADE. */
export async function dropSchema(
  context: CommandContext,
  fields: AstNode,
): Promise<StatementResult> {
  const { database, schema } = schemaName(context, fields.name);
  if (!(await schemasOf(context, database)).includes(schema)) {
    if (fields.if_exists === true) {
      return statusResult(
        STATEMENT_TYPE.ddl,
        `Drop statement executed successfully (${schema} already dropped).`,
      );
    }
    throw objectMissing('Schema', `${database}.${schema}`);
  }

  await context.query(`DROP SCHEMA ${qualified(database, schema)} CASCADE`);
  if (context.state.database === database && context.state.schema === schema)
    context.state.schema = null;
  context.settingsChanged();
  return statusResult(STATEMENT_TYPE.ddl, `${schema} successfully dropped.`);
}

/**
 * polyglot-sql's tree drops OR REPLACE from CREATE DATABASE and CREATE SCHEMA, so the
 * statement's own first tokens say whether it replaces.
 */
function statementReplaces(context: CommandContext): boolean {
  const result = tokenize(context.sql, Dialect.Snowflake);
  const words = (result.tokens ?? []).slice(0, 3).map((token) => token.text.toUpperCase());
  return words.join(' ') === 'CREATE OR REPLACE';
}

function schemaName(context: CommandContext, node: unknown): { database: string; schema: string } {
  const parts = Array.isArray(node)
    ? node.flatMap((part) => nameParts({ name: part }))
    : nameParts({ name: node });
  const schema = parts[parts.length - 1] ?? '';
  const database =
    parts.length >= 2 ? (parts[0] as string) : currentDatabase(context.state, 'CREATE SCHEMA');
  return { database, schema };
}

function qualified(database: string, schema: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(schema)}`;
}
