import { quoteLiteral } from '../connections.js';
import { DIVISION_BY_ZERO } from '../errors.js';
import { FLATTEN_MACRO_SQL } from './flatten.js';

/**
 * DuckDB macros standing in for Snowflake functions DuckDB lacks or answers differently. They
 * are TEMP macros, created on every DuckDB connection a session uses, so they resolve in any
 * database and schema and can override DuckDB's built-ins of the same name.
 */
export const FIXED_MACROS: readonly string[] = [
  FLATTEN_MACRO_SQL,
  // DuckDB's date_diff counts unit boundaries crossed, as Snowflake's DATEDIFF does.
  'CREATE OR REPLACE TEMP MACRO SF_DATEDIFF(unit, a, b) AS date_diff(unit, a, b)',
  // Arrays are DuckDB lists or JSON; to_json turns either into JSON, counted from 0.
  `CREATE OR REPLACE TEMP MACRO SF_GET(x, i) AS json_extract(to_json(x), CASE
     WHEN typeof(i) = 'VARCHAR' THEN '$."' || CAST(i AS VARCHAR) || '"'
     ELSE '$[' || CAST(i AS VARCHAR) || ']' END)`,
  'CREATE OR REPLACE TEMP MACRO SF_ARRAY_SIZE(x) AS json_array_length(to_json(x))',
  `CREATE OR REPLACE TEMP MACRO SF_ARRAY_CONTAINS(v, x) AS
     list_contains(json_extract(to_json(x), '$[*]'), to_json(v))`,
  'CREATE OR REPLACE TEMP MACRO SF_OBJECT_KEYS(x) AS json_keys(to_json(x))',
  'CREATE OR REPLACE TEMP MACRO SF_TO_VARIANT(x) AS to_json(x)',
  'CREATE OR REPLACE TEMP MACRO SF_STARTS_WITH(s, prefix) AS starts_with(s, prefix)',
  // A VARIANT holding a string converts to the string itself, not to its JSON text ("a").
  `CREATE OR REPLACE TEMP MACRO SF_TO_VARCHAR(x) AS CASE WHEN typeof(x) = 'JSON'
     THEN json_extract_string(CAST(x AS JSON), '$') ELSE CAST(x AS VARCHAR) END`,
  `CREATE OR REPLACE TEMP MACRO SF_DATEADD(part, n, x) AS x + CASE part
     WHEN 'year' THEN to_years(CAST(n AS INTEGER))
     WHEN 'quarter' THEN to_months(CAST(n AS INTEGER) * 3)
     WHEN 'month' THEN to_months(CAST(n AS INTEGER))
     WHEN 'week' THEN to_days(CAST(n AS INTEGER) * 7)
     WHEN 'day' THEN to_days(CAST(n AS INTEGER))
     WHEN 'hour' THEN to_hours(CAST(n AS BIGINT))
     WHEN 'minute' THEN to_minutes(CAST(n AS BIGINT))
     WHEN 'second' THEN to_seconds(CAST(n AS DOUBLE))
     WHEN 'millisecond' THEN to_milliseconds(CAST(n AS DOUBLE))
     WHEN 'microsecond' THEN to_microseconds(CAST(n AS BIGINT))
     ELSE to_microseconds(CAST(n AS BIGINT) // 1000) END`,
  `CREATE OR REPLACE TEMP MACRO SF_DIV(a, b) AS
     CASE WHEN b = 0 THEN error('${DIVISION_BY_ZERO}') ELSE a / b END`,
];

/** Session values the CURRENT_* functions return. */
export interface SessionIdentity {
  user: string;
  role: string;
  warehouse: string | null;
  sessionId: string;
}

/** Macros answering CURRENT_USER() and friends from the session, recreated when it changes. */
export function identityMacros(identity: SessionIdentity): string[] {
  const values: [string, string | null][] = [
    ['CURRENT_USER', identity.user],
    ['CURRENT_ROLE', identity.role],
    ['CURRENT_WAREHOUSE', identity.warehouse],
    ['CURRENT_SESSION', identity.sessionId],
    ['CURRENT_ACCOUNT', 'SANDBOX'],
    ['CURRENT_REGION', 'LOCAL'],
    ['CURRENT_VERSION', '9.0.0'],
    ['CURRENT_AVAILABLE_ROLES', JSON.stringify([identity.role])],
    ['CURRENT_SECONDARY_ROLES', '{"roles":"","value":""}'],
  ];
  return values.map(
    ([name, value]) =>
      `CREATE OR REPLACE TEMP MACRO ${name}() AS ${value === null ? 'CAST(NULL AS VARCHAR)' : quoteLiteral(value)}`,
  );
}
