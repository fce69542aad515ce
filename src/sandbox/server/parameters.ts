import type { SessionState } from '../engine/types.js';
import { type JsonValue, RawJson } from './json.js';
import type { ResultFormat } from './materialize.js';

type ParameterValue = string | number | boolean;

/**
 * Client settings the drivers read from login and query replies, at Snowflake's defaults. The
 * engine's session state holds the SQL-level parameters (TIMEZONE, the output formats); these
 * are the protocol-level ones it does not, and a session may override any of them.
 * https://docs.snowflake.com/en/sql-reference/parameters
 */
const CLIENT_DEFAULTS: ReadonlyMap<string, ParameterValue> = new Map<string, ParameterValue>([
  ['CLIENT_PREFETCH_THREADS', 4],
  ['CLIENT_RESULT_CHUNK_SIZE', 160],
  ['CLIENT_MEMORY_LIMIT', 1536],
  ['CLIENT_SESSION_KEEP_ALIVE', false],
  ['CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY', 3600],
  ['CLIENT_STAGE_ARRAY_BINDING_THRESHOLD', 65280],
  ['CLIENT_TELEMETRY_ENABLED', true],
  ['QUERY_CONTEXT_CACHE_SIZE', 5],
  ['JS_TREAT_INTEGER_AS_BIGINT', false],
  ['PYTHON_CONNECTOR_QUERY_RESULT_FORMAT', 'ARROW'],
  ['JDBC_QUERY_RESULT_FORMAT', 'ARROW'],
  ['GO_QUERY_RESULT_FORMAT', 'ARROW'],
  ['ODBC_QUERY_RESULT_FORMAT', 'ARROW'],
]);

/**
 * Parameters the drivers expect as JSON numbers or booleans. Session state keeps text, and
 * the Node driver, for one, treats the string "false" as true.
 */
const NUMBERS = new Set([
  'CLIENT_PREFETCH_THREADS',
  'CLIENT_RESULT_CHUNK_SIZE',
  'CLIENT_MEMORY_LIMIT',
  'CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY',
  'CLIENT_STAGE_ARRAY_BINDING_THRESHOLD',
  'QUERY_CONTEXT_CACHE_SIZE',
  'MULTI_STATEMENT_COUNT',
  'STATEMENT_TIMEOUT_IN_SECONDS',
  'STATEMENT_QUEUED_TIMEOUT_IN_SECONDS',
  'LOCK_TIMEOUT',
  'ROWS_PER_RESULTSET',
  'TWO_DIGIT_CENTURY_START',
  'WEEK_START',
  'WEEK_OF_YEAR_POLICY',
]);
const BOOLEANS = new Set([
  'AUTOCOMMIT',
  'ABORT_DETACHED_QUERY',
  'CLIENT_SESSION_KEEP_ALIVE',
  'CLIENT_TELEMETRY_ENABLED',
  'JS_TREAT_INTEGER_AS_BIGINT',
  'USE_CACHED_RESULT',
  'STRICT_JSON_OUTPUT',
]);

/** The Node driver's CLIENT_APP_ID; it decodes JSON rowsets only. */
const NODE_DRIVER = 'JavaScript';

/** Which parameter picks the result format, by the CLIENT_APP_ID a driver logs in with. */
const FORMAT_PARAMETER_BY_CLIENT: ReadonlyMap<string, string> = new Map([
  ['PythonConnector', 'PYTHON_CONNECTOR_QUERY_RESULT_FORMAT'],
  ['JDBC', 'JDBC_QUERY_RESULT_FORMAT'],
  ['Go', 'GO_QUERY_RESULT_FORMAT'],
  ['ODBC', 'ODBC_QUERY_RESULT_FORMAT'],
]);

/** A parameter as the session holds it, else its client default; null if neither. */
export function parameterValue(state: SessionState, name: string): ParameterValue | null {
  const set = state.parameters.get(name);
  if (set === undefined) return CLIENT_DEFAULTS.get(name) ?? null;
  return typed(name, set);
}

/** The `parameters` array of login and query replies: client defaults, then the session's. */
export function parametersList(state: SessionState): JsonValue[] {
  const names = new Set([...CLIENT_DEFAULTS.keys(), ...state.parameters.keys()]);
  return [...names].map((name) => ({ name, value: parameterValue(state, name) }));
}

const serializedLists = new WeakMap<SessionState, { key: string; json: RawJson }>();

/**
 * {@link parametersList} as JSON text, kept per session until a parameter changes: every reply
 * carries the list, and rebuilding it is most of the cost of a small reply.
 */
export function parametersJson(state: SessionState): RawJson {
  let key = '';
  for (const [name, value] of state.parameters) key += `${name}\u0000${value}\u0001`;

  const cached = serializedLists.get(state);
  if (cached?.key === key) return cached.json;
  const json = new RawJson(JSON.stringify(parametersList(state)));
  serializedLists.set(state, { key, json });
  return json;
}

/**
 * JSON for the Node driver and for clients that name no format parameter; Arrow when the
 * client's own `*_QUERY_RESULT_FORMAT` (or QUERY_RESULT_FORMAT) says so, which is the default for
 * Python, JDBC, Go and ODBC.
 */
export function resultFormatFor(state: SessionState, clientAppId: string): ResultFormat {
  if (clientAppId === NODE_DRIVER) return 'json';
  const parameter = FORMAT_PARAMETER_BY_CLIENT.get(clientAppId);
  const value =
    state.parameters.get('QUERY_RESULT_FORMAT') ??
    (parameter ? parameterValue(state, parameter) : null);
  return String(value).toUpperCase().startsWith('ARROW') ? 'arrow' : 'json';
}

/** Session parameters hold text; report the numeric and boolean ones typed. */
function typed(name: string, value: string): ParameterValue {
  if (BOOLEANS.has(name)) return /^(true|1|yes|on)$/i.test(value.trim());
  if (NUMBERS.has(name) && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return value;
}
