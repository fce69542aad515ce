import { quoteIdentifier } from '../connections.js';
import { compilationError, objectMissing, unsupported } from '../errors.js';
import { statusResult } from '../results.js';
import { STATEMENT_TYPE } from '../statement-types.js';
import type { StatementResult } from '../types.js';
import { type CommandContext, currentDatabase } from './context.js';
import { ddlTarget } from './ddl-target.js';
import { schemasOf } from './session-commands.js';

/**
 * CREATE [OR REPLACE] DATABASE [IF NOT EXISTS] name. As in Snowflake, the new database (and its
 * PUBLIC schema) becomes the session's current one.
 */
export async function createDatabase(context: CommandContext): Promise<StatementResult> {
  const target = ddlTarget(context.sql);
  if (target.clone) throw unsupported('CREATE DATABASE ... CLONE');

  const name = target.parts[0] ?? '';
  const exists = await context.catalog.hasDatabase(name);
  if (exists && target.ifNotExists) return alreadyExists(name);
  if (exists && target.orReplace) {
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
export async function dropDatabase(context: CommandContext): Promise<StatementResult> {
  const target = ddlTarget(context.sql);
  const name = target.parts[0] ?? '';
  if (target.ifExists && !(await context.catalog.hasDatabase(name))) return alreadyDropped(name);

  await context.releaseDatabase(name);
  await context.catalog.dropDatabase(name);
  return statusResult(STATEMENT_TYPE.ddl, `${name} successfully dropped.`);
}

/** CREATE [OR REPLACE] SCHEMA [IF NOT EXISTS] [db.]name; the new schema becomes current. */
export async function createSchema(context: CommandContext): Promise<StatementResult> {
  const target = ddlTarget(context.sql);
  if (target.clone) throw unsupported('CREATE SCHEMA ... CLONE');

  const { database, schema } = schemaName(context, target.parts);
  const exists = await hasSchema(context, database, schema);
  if (exists && target.ifNotExists) return alreadyExists(schema);
  if (exists && !target.orReplace) {
    throw compilationError('objectExists', `Object '${schema}' already exists.`);
  }

  if (exists) await context.query(`DROP SCHEMA ${qualified(database, schema)} CASCADE`);
  await context.query(`CREATE SCHEMA ${qualified(database, schema)}`);
  context.state.database = database;
  context.state.schema = schema;
  context.settingsChanged();
  return statusResult(STATEMENT_TYPE.ddl, `Schema ${schema} successfully created.`);
}

/** DROP SCHEMA [IF EXISTS] [db.]name, with what it holds, as Snowflake's default CASCADE. */
export async function dropSchema(context: CommandContext): Promise<StatementResult> {
  const target = ddlTarget(context.sql);
  const { database, schema } = schemaName(context, target.parts);
  const exists = await hasSchema(context, database, schema);
  if (!exists && target.ifExists) return alreadyDropped(schema);
  if (!exists) throw objectMissing('Schema', `${database}.${schema}`);

  await context.query(`DROP SCHEMA ${qualified(database, schema)} CASCADE`);
  if (context.state.database === database && context.state.schema === schema) {
    context.state.schema = null;
    context.settingsChanged();
  }
  return statusResult(STATEMENT_TYPE.ddl, `${schema} successfully dropped.`);
}

async function hasSchema(
  context: CommandContext,
  database: string,
  schema: string,
): Promise<boolean> {
  if (!(await context.catalog.hasDatabase(database))) throw objectMissing('Database', database);
  return (await schemasOf(context, database)).includes(schema);
}

function alreadyExists(name: string): StatementResult {
  return statusResult(STATEMENT_TYPE.ddl, `${name} already exists, statement succeeded.`);
}

function alreadyDropped(name: string): StatementResult {
  return statusResult(
    STATEMENT_TYPE.ddl,
    `Drop statement executed successfully (${name} already dropped).`,
  );
}

function schemaName(
  context: CommandContext,
  parts: string[],
): { database: string; schema: string } {
  const schema = parts[parts.length - 1] ?? '';
  const database =
    parts.length >= 2 ? (parts[0] as string) : currentDatabase(context.state, 'CREATE SCHEMA');
  return { database, schema };
}

function qualified(database: string, schema: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(schema)}`;
}
