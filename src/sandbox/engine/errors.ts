import { SnowflakeSqlError } from './types.js';

/**
 * Snowflake error codes and SQL states the sandbox answers with. The codes are Snowflake's own,
 * so drivers and tools that branch on them behave as they would against Snowflake.
 */
export const SQL_ERRORS = {
  syntax: { code: '001003', sqlState: '42000' },
  emptyStatement: { code: '000900', sqlState: '42000' },
  statementCount: { code: '000008', sqlState: '0A000' },
  objectMissing: { code: '002003', sqlState: '42S02' },
  objectExists: { code: '002002', sqlState: '42710' },
  invalidIdentifier: { code: '000904', sqlState: '42000' },
  compilation: { code: '002016', sqlState: '42601' },
  unsupported: { code: '002040', sqlState: '0A000' },
  noDatabase: { code: '090105', sqlState: '22000' },
  conversion: { code: '100038', sqlState: '22018' },
  outOfRange: { code: '100039', sqlState: '22003' },
  divisionByZero: { code: '100051', sqlState: '22012' },
  constraint: { code: '100072', sqlState: '22000' },
  invalidParameter: { code: '001006', sqlState: '22023' },
  invalidParameterValue: { code: '002154', sqlState: '22023' },
  unknownFunction: { code: '002140', sqlState: '42601' },
  bindMismatch: { code: '002049', sqlState: '07001' },
  cancelled: { code: '000604', sqlState: '57014' },
  execution: { code: '100132', sqlState: 'P0000' },
  internal: { code: '000603', sqlState: 'XX000' },
} as const;

/** Snowflake's message for x / 0; SF_DIV raises it with DuckDB's error(). */
export const DIVISION_BY_ZERO = 'Division by zero';

export type SqlErrorKind = keyof typeof SQL_ERRORS;

/** Builds a client-safe error of one of the kinds above. */
export function sqlError(kind: SqlErrorKind, message: string, cause?: unknown): SnowflakeSqlError {
  const { code, sqlState } = SQL_ERRORS[kind];
  return new SnowflakeSqlError(
    code,
    sqlState,
    message,
    cause === undefined ? undefined : { cause },
  );
}

/** `SQL compilation error:` as Snowflake prefixes every error found before execution. */
export function compilationError(kind: SqlErrorKind, detail: string): SnowflakeSqlError {
  return sqlError(kind, `SQL compilation error:\n${detail}`);
}

/** The error Snowflake gives for a table, view, schema or database that is not there. */
export function objectMissing(kind: string, name: string): SnowflakeSqlError {
  return compilationError('objectMissing', `${kind} '${name}' does not exist or not authorized.`);
}

/** The answer to a construct the sandbox deliberately does not run. */
export function unsupported(feature: string): SnowflakeSqlError {
  return compilationError('unsupported', `Unsupported feature '${feature}'.`);
}

interface DuckDbErrorShape {
  kind: string;
  detail: string;
}

/** Splits DuckDB's "Kind Error: detail\n\nLINE 1: ..." into its kind and first detail line. */
function shapeOf(message: string): DuckDbErrorShape {
  const match = /(?:^|: )([A-Z][A-Za-z ]*?) Error: ([^\n]*)/.exec(message);
  if (match === null) return { kind: '', detail: message.split('\n', 1)[0] ?? '' };
  return { kind: match[1] ?? '', detail: match[2] ?? '' };
}

/**
 * Turns an error DuckDB raised into a Snowflake-shaped one. DuckDB's text is rephrased, not
 * forwarded: it can name DuckDB internals that mean nothing to a Snowflake client.
 */
export function fromDuckDbError(error: unknown): SnowflakeSqlError {
  if (error instanceof SnowflakeSqlError) return error;

  const message = error instanceof Error ? error.message : String(error);
  const { kind, detail } = shapeOf(message);
  const translated = translateByKind(kind, detail);
  if (translated !== null) {
    return new SnowflakeSqlError(translated.code, translated.sqlState, translated.message, {
      cause: error,
    });
  }
  return sqlError(
    'internal',
    'SQL execution internal error: Processing aborted due to error.',
    error,
  );
}

function translateByKind(kind: string, detail: string): SnowflakeSqlError | null {
  switch (kind) {
    case 'Parser':
      return syntaxFromDuckDb(detail);
    case 'Catalog':
      return catalogError(detail);
    case 'Binder':
      return binderError(detail);
    case 'Conversion':
      return conversionError(detail);
    case 'Out of Range':
      return sqlError('outOfRange', 'Numeric value out of range');
    case 'Constraint':
      return sqlError('constraint', `Constraint violation: ${withoutValues(detail)}`);
    case 'Invalid Input':
      if (detail === DIVISION_BY_ZERO) return sqlError('divisionByZero', DIVISION_BY_ZERO);
      return sqlError('execution', withoutValues(stripDuckDbTypes(detail)));
    case 'Not implemented':
      return unsupported(detail);
    case 'Permission':
    case 'IO':
      return compilationError('unsupported', 'Access to files is not allowed in the sandbox.');
    case 'INTERRUPT':
    case 'Interrupt':
      return sqlError('cancelled', 'SQL execution canceled');
    default:
      return null;
  }
}

/**
 * Client text has passed Snowflake's grammar before DuckDB sees it, so a DuckDB parse error means
 * a construct the translation could not express.
 */
function syntaxFromDuckDb(detail: string): SnowflakeSqlError {
  const near = /at or near "([^"]*)"/.exec(detail)?.[1];
  const where = near === undefined ? '' : ` near '${near}'`;
  return compilationError(
    'unsupported',
    `Unsupported feature: the sandbox cannot run this statement${where}.`,
  );
}

function catalogError(detail: string): SnowflakeSqlError {
  const fn = /^(?:Scalar|Table|Aggregate|Pragma) Function with name "?(\w+)"? does not exist/.exec(
    detail,
  );
  if (fn !== null) {
    return compilationError('unknownFunction', `Unknown function ${(fn[1] ?? '').toUpperCase()}`);
  }

  const missing = /^(\w+) with name ("?)([^"!]+)\2 does not exist/.exec(detail);
  if (missing !== null) return objectMissing(objectWord(missing[1] ?? ''), missing[3] ?? '');

  const exists = /^(\w+) with name "?([^"!]+)"? already exists/.exec(detail);
  if (exists !== null) {
    return compilationError('objectExists', `Object '${exists[2]}' already exists.`);
  }
  return compilationError('compilation', detail);
}

function objectWord(duckDbKind: string): string {
  const word = duckDbKind.toLowerCase();
  if (word === 'table' || word === 'view') return 'Object';
  if (word === 'schema') return 'Schema';
  if (word === 'catalog') return 'Database';
  return 'Object';
}

function binderError(detail: string): SnowflakeSqlError {
  const column = /Referenced column "([^"]+)" not found/.exec(detail);
  if (column !== null) {
    return compilationError(
      'invalidIdentifier',
      `error line 1 at position 0\ninvalid identifier '${column[1]}'`,
    );
  }

  const catalog = /Catalog "([^"]+)" does not exist/.exec(detail);
  if (catalog !== null) return objectMissing('Database', catalog[1] ?? '');

  const table = /Table "([^"]+)" does not have a column named "([^"]+)"/.exec(detail);
  if (table !== null) {
    return compilationError(
      'invalidIdentifier',
      `error line 1 at position 0\ninvalid identifier '${table[2]}'`,
    );
  }
  return compilationError('compilation', stripDuckDbTypes(detail));
}

/**
 * Snowflake names the value it could not convert; the sandbox does not, because the value may
 * be a bind, and bind values stay out of messages.
 */
function conversionError(detail: string): SnowflakeSqlError {
  if (/out of range/.test(detail)) return sqlError('outOfRange', 'Numeric value out of range');

  const target = /Could not convert .* to (\w+)/.exec(detail)?.[1]?.toUpperCase() ?? '';
  return sqlError('conversion', `${valueKind(target)} is not recognized`);
}

function valueKind(duckDbType: string): string {
  if (/^(DECIMAL|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?\d*|DOUBLE|FLOAT)$/.test(duckDbType))
    return 'Numeric value';
  if (duckDbType === 'DATE') return 'Date value';
  if (duckDbType.startsWith('TIMESTAMP')) return 'Timestamp value';
  if (duckDbType.startsWith('TIME')) return 'Time value';
  if (duckDbType === 'BOOL' || duckDbType === 'BOOLEAN') return 'Boolean value';
  return 'Value';
}

/** Quoted text in a message may be a client's value (a bind); it is left out. */
function withoutValues(detail: string): string {
  return detail
    .replace(/'[^']*'|"[^"]*"/g, '<value>')
    .replace(/Input: .*$/, '')
    .trim();
}

/** DuckDB names its physical types (INT32, INT8) in some messages; Snowflake users know neither. */
function stripDuckDbTypes(detail: string): string {
  return detail.replace(/\bU?INT(8|16|32|64|128)\b/g, 'NUMBER');
}
