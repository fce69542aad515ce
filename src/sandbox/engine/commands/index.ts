import { unsupported } from '../errors.js';
import type { ParsedStatement } from '../translate.js';
import type { StatementResult } from '../types.js';
import type { CommandContext } from './context.js';
import { createDatabase, createSchema, dropDatabase, dropSchema } from './databases.js';
import { describe } from './describe.js';
import { alterSession, use } from './session-commands.js';
import { show } from './show.js';

export type { CommandContext } from './context.js';

type Command = (
  context: CommandContext,
  fields: ParsedStatement['fields'],
) => Promise<StatementResult>;

/** Statements the engine answers itself rather than handing to DuckDB, by root kind. */
const COMMANDS: Record<string, Command> = {
  show,
  describe,
  use,
  alter_session: alterSession,
  create_database: createDatabase,
  drop_database: dropDatabase,
  create_schema: createSchema,
  drop_schema: dropSchema,
};

/**
 * Statement kinds refused with Snowflake's "unsupported feature" error, each for a reason the
 * docs give: stages and file transfer (no cloud storage), session variables, access control,
 * procedures and tasks.
 */
const REFUSED: Record<string, string> = {
  put: 'PUT',
  get: 'GET',
  copy: 'COPY INTO',
  set_statement: 'SET (session variables)',
  grant: 'GRANT',
  revoke: 'REVOKE',
  command: 'this command',
  undrop: 'UNDROP',
  create_stage: 'CREATE STAGE',
  create_task: 'CREATE TASK',
  create_procedure: 'CREATE PROCEDURE',
  create_function: 'CREATE FUNCTION',
};

/** Runs `statement` when it is a command; null when it is SQL for DuckDB. */
export function commandFor(statement: ParsedStatement): Command | null {
  const refused = REFUSED[statement.kind];
  if (refused !== undefined) throw unsupported(refused);
  return COMMANDS[statement.kind] ?? null;
}
