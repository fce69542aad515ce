/**
 * Names and numbers of Snowflake's client REST protocol that Tollgate acts on. See
 * shared/SNOWFLAKE.md for how the drivers use them.
 */

/** Request paths, as the drivers send them (the query string is matched apart). */
export const PATHS = {
  login: '/session/v1/login-request',
  tokenRequest: '/session/token-request',
  heartbeat: '/session/heartbeat',
  session: '/session',
  query: '/queries/v1/query-request',
  abortByRequestId: '/queries/v1/abort-request',
  telemetry: '/telemetry/send',
} as const;

/** `/queries/{queryId}/result` and `/queries/{queryId}/abort-request`. */
export const QUERY_RESULT_PATH = /^\/queries\/([0-9A-Za-z-]{1,64})\/result$/;
export const QUERY_ABORT_PATH = /^\/queries\/([0-9A-Za-z-]{1,64})\/abort-request$/;

/** `/monitoring/queries/{queryId}`. */
export const MONITORING_PATH = /^\/monitoring\/queries\/([0-9A-Za-z-]{1,64})$/;

/** Where Tollgate serves the result chunks whose URLs it rewrote: `/tollgate/chunks/{id}`. */
export const CHUNK_PATH_PREFIX = '/tollgate/chunks/';

/** Codes in Snowflake error replies that the drivers act on. */
export const SNOWFLAKE_CODES = {
  /** Bad user name or password. */
  incorrectCredentials: '390100',
  /** The session token is not known: the driver drops the connection. */
  sessionTokenInvalid: '390104',
  /** The session is gone: the driver drops the connection. */
  sessionGone: '390111',
  /** The session token expired: the driver renews it with the master token and retries. */
  sessionTokenExpired: '390112',
  /** The master token expired: the driver gives up the connection. */
  masterTokenExpired: '390114',
  /** The OAuth access token is invalid. */
  oauthTokenInvalid: '390303',
  /** The OAuth access token has expired. */
  oauthTokenExpired: '390318',
  /** The query is still running; sent with `success: true` and a `getResultUrl`. */
  queryInProgress: '333333',
  /** The query runs detached (asyncExec); sent with `success: true`. */
  queryInProgressAsync: '333334',
  /** The statement was cancelled. */
  queryCancelled: '000604',
  /** The query named in a request is not one this session may see. */
  queryNotFound: '000709',
} as const;

/** `GET /monitoring/queries/{id}` statuses after which a query will not change any more. */
export const TERMINAL_FAILURE_STATUSES = new Set([
  'ABORTED',
  'FAILED_WITH_ERROR',
  'FAILED_WITH_INCIDENT',
  'DISCONNECTED',
  'BLOCKED',
]);

/** The session-token header the drivers send: `Authorization: Snowflake Token="..."`. */
const AUTHORIZATION_TOKEN = /^Snowflake Token="([^"]*)"$/;

/** The token inside an Authorization header, or null when the header is missing or malformed. */
export function tokenFromAuthorization(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = AUTHORIZATION_TOKEN.exec(header);
  return match?.[1] || null;
}

/** An Authorization header carrying a session or master token. */
export function authorizationFor(token: string): string {
  return `Snowflake Token="${token}"`;
}
