import { compilationError } from './errors.js';

/**
 * Session parameters every session starts with, at Snowflake's defaults
 * (https://docs.snowflake.com/en/sql-reference/parameters). The server reports them in login
 * and query replies; drivers need TIMEZONE and the output formats to decode results.
 */
export const DEFAULT_PARAMETERS: Readonly<Record<string, string>> = {
  TIMEZONE: 'America/Los_Angeles',
  QUERY_TAG: '',
  DATE_OUTPUT_FORMAT: 'YYYY-MM-DD',
  TIME_OUTPUT_FORMAT: 'HH24:MI:SS',
  TIMESTAMP_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  TIMESTAMP_NTZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3',
  TIMESTAMP_LTZ_OUTPUT_FORMAT: '',
  TIMESTAMP_TZ_OUTPUT_FORMAT: '',
  BINARY_OUTPUT_FORMAT: 'HEX',
  TIMESTAMP_TYPE_MAPPING: 'TIMESTAMP_NTZ',
  CLIENT_TIMESTAMP_TYPE_MAPPING: 'TIMESTAMP_LTZ',
  WEEK_START: '0',
  WEEK_OF_YEAR_POLICY: '0',
  AUTOCOMMIT: 'true',
};

/** Parameters a session may set; anything else is refused as Snowflake refuses it. */
const SETTABLE = [
  /^TIMEZONE$/,
  /^QUERY_TAG$/,
  /^[A-Z_]+_OUTPUT_FORMAT$/,
  /^[A-Z_]+_INPUT_FORMAT$/,
  /^[A-Z_]+_QUERY_RESULT_FORMAT$/,
  /^QUERY_RESULT_FORMAT$/,
  /^(CLIENT|JS|JDBC|ODBC|PYTHON|GO)_[A-Z_]+$/,
  /^(TIMESTAMP|CLIENT_TIMESTAMP)_TYPE_MAPPING$/,
  /^WEEK_(START|OF_YEAR_POLICY)$/,
  /^(AUTOCOMMIT|USE_CACHED_RESULT|ABORT_DETACHED_QUERY|MULTI_STATEMENT_COUNT)$/,
  /^(STATEMENT_TIMEOUT_IN_SECONDS|STATEMENT_QUEUED_TIMEOUT_IN_SECONDS|LOCK_TIMEOUT)$/,
  /^(ROWS_PER_RESULTSET|STRICT_JSON_OUTPUT|ERROR_ON_NONDETERMINISTIC_(MERGE|UPDATE))$/,
  /^(TRANSACTION_DEFAULT_ISOLATION_LEVEL|TWO_DIGIT_CENTURY_START|LANGUAGE)$/,
];

const RESULT_FORMATS = new Set(['JSON', 'ARROW', 'ARROW_FORCE']);
const BINARY_FORMATS = new Set(['HEX', 'BASE64', 'UTF-8', 'UTF8']);

/** Session parameters a client may not change here, because the sandbox cannot honour them. */
const FIXED = new Map([['QUOTED_IDENTIFIERS_IGNORE_CASE', 'FALSE']]);

/** Checks a parameter name and value from ALTER SESSION SET; returns the value to store. */
export function checkParameter(name: string, value: string): string {
  const fixed = FIXED.get(name);
  if (fixed !== undefined) {
    if (value.toUpperCase() === fixed) return fixed;
    throw compilationError(
      'unsupported',
      `Unsupported feature 'ALTER SESSION SET ${name} = ${value}'.`,
    );
  }
  if (!SETTABLE.some((pattern) => pattern.test(name))) {
    throw compilationError('invalidParameter', `invalid parameter '${name}'`);
  }

  if (name.endsWith('QUERY_RESULT_FORMAT') && !RESULT_FORMATS.has(value.toUpperCase())) {
    throw invalidValue(name, value);
  }
  if (name === 'BINARY_OUTPUT_FORMAT' && !BINARY_FORMATS.has(value.toUpperCase())) {
    throw invalidValue(name, value);
  }
  return name.endsWith('_FORMAT') && name !== 'QUERY_TAG' ? formatValue(name, value) : value;
}

/** Result formats are keywords; output formats are patterns whose case is kept. */
function formatValue(name: string, value: string): string {
  return name.endsWith('QUERY_RESULT_FORMAT') || name === 'BINARY_OUTPUT_FORMAT'
    ? value.toUpperCase()
    : value;
}

/** The error for a value Snowflake would not accept for a parameter. */
export function invalidValue(name: string, value: string): Error {
  return compilationError(
    'invalidParameterValue',
    `invalid value [${value}] for parameter '${name}'`,
  );
}
