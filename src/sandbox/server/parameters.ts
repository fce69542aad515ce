import type { SessionState } from '../engine/types.js';
import { type JsonValue, RawJson } from './json.js';
import type { ResultFormat } from './materialize.js';

type ParameterValue = string | number | boolean;

/**
 * Session parameters the sandbox reports when the session has not set them, with Snowflake's
 * defaults. The drivers read the output formats and TIMEZONE to decode values, and the Node
 * driver keeps the CLIENT_* and JS_* ones as connection settings; numbers and booleans must stay
 * typed (the Node driver treats the string "false" as true).
 * https://docs.snowflake.com/en/sql-reference/parameters
 */
const DEFAULTS: ReadonlyMap<string, ParameterValue> = new Map<string, ParameterValue>([
  ['TIMEZONE', 'America/Los_Angeles'],
  ['TIMESTAMP_OUTPUT_FORMAT', 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM'],
  ['TIMESTAMP_NTZ_OUTPUT_FORMAT', 'YYYY-MM-DD HH24:MI:SS.FF3'],
  ['TIMESTAMP_LTZ_OUTPUT_FORMAT', ''],
  ['TIMESTAMP_TZ_OUTPUT_FORMAT', ''],
  ['DATE_OUTPUT_FORMAT', 'YYYY-MM-DD'],
  ['TIME_OUTPUT_FORMAT', 'HH24:MI:SS'],
  ['BINARY_OUTPUT_FORMAT', 'HEX'],
  ['TIMESTAMP_TYPE_MAPPING', 'TIMESTAMP_NTZ'],
  ['CLIENT_TIMESTAMP_TYPE_MAPPING', 'TIMESTAMP_LTZ'],
  ['CLIENT_PREFETCH_THREADS', 4],
  ['CLIENT_RESULT_CHUNK_SIZE', 160],
  ['CLIENT_MEMORY_LIMIT', 1536],
  ['CLIENT_SESSION_KEEP_ALIVE', false],
  ['CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY', 3600],
  ['CLIENT_STAGE_ARRAY_BINDING_THRESHOLD', 65280],
  ['CLIENT_TELEMETRY_ENABLED', true],
  ['QUERY_CONTEXT_CACHE_SIZE', 5],
  ['JS_TREAT_INTEGER_AS_BIGINT', false],
  ['AUTOCOMMIT', true],
  ['WEEK_START', 0],
  ['WEEK_OF_YEAR_POLICY', 0],
  ['PYTHON_CONNECTOR_QUERY_RESULT_FORMAT', 'ARROW'],
  ['JDBC_QUERY_RESULT_FORMAT', 'ARROW'],
  ['GO_QUERY_RESULT_FORMAT', 'ARROW'],
  ['ODBC_QUERY_RESULT_FORMAT', 'ARROW'],
]);

/** Which parameter picks the result format, by the CLIENT_APP_ID a driver logs in with. */
const FORMAT_PARAMETER_BY_CLIENT: ReadonlyMap<string, string> = new Map([
  ['PythonConnector', 'PYTHON_CONNECTOR_QUERY_RESULT_FORMAT'],
  ['JDBC', 'JDBC_QUERY_RESULT_FORMAT'],
  ['Go', 'GO_QUERY_RESULT_FORMAT'],
  ['ODBC', 'ODBC_QUERY_RESULT_FORMAT'],
]);

/** A session parameter's value as the session holds it, else the default; null if neither. */
export function parameterValue(state: SessionState, name: string): ParameterValue | null {
  const set = state.parameters.get(name);
  const fallback = DEFAULTS.get(name);
  if (set === undefined) return fallback ?? null;
  return typed(set, fallback);
}

/** The `parameters` array of login and query replies: defaults overlaid with the session's. */
export function parametersList(state: SessionState): JsonValue[] {
  const names = new Set([...DEFAULTS.keys(), ...state.parameters.keys()]);
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
 * JSON for the Node driver and for anything that did not name a format parameter; Arrow when
 * the client's own `*_QUERY_RESULT_FORMAT` says so (the default for Python, JDBC, Go and ODBC).
 */
export function resultFormatFor(state: SessionState, clientAppId: string): ResultFormat {
  const parameter = FORMAT_PARAMETER_BY_CLIENT.get(clientAppId);
  if (parameter === undefined) return 'json';
  const value = parameterValue(state, parameter);
  return String(value).toUpperCase() === 'ARROW' ? 'arrow' : 'json';
}

/** Session parameters hold text; report them as the type their default has. */
function typed(value: string, fallback: ParameterValue | undefined): ParameterValue {
  if (typeof fallback === 'boolean') return /^(true|1|yes|on)$/i.test(value.trim());
  if (typeof fallback === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return value;
}
