import type { JsonValue } from './json.js';

/**
 * A refusal the sandbox sends the way Snowflake does: an HTTP status, Snowflake's error code and
 * SQL state, and a message that is safe to show (it never repeats a token, password or bind).
 * Every way the server can refuse is one factory below; docs/sandbox.md lists them.
 */
export class SnowflakeReplyError extends Error {
  readonly httpStatus: number;
  readonly code: string;
  readonly sqlState: string | null;
  /** Extra `data` members Snowflake sends with this error (login errors carry a few). */
  readonly extra: Record<string, JsonValue>;

  constructor(
    httpStatus: number,
    code: string,
    sqlState: string | null,
    message: string,
    extra: Record<string, JsonValue> = {},
  ) {
    super(message);
    this.name = 'SnowflakeReplyError';
    this.httpStatus = httpStatus;
    this.code = code;
    this.sqlState = sqlState;
    this.extra = extra;
  }
}

// Login and token refusals: HTTP 200 with success false, which is what the drivers act on.

export function badCredentials(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '390100',
    '08004',
    'Incorrect username or password was specified.',
    { nextAction: 'RETRY_LOGIN', authnMethod: 'PASSWORD' },
  );
}

/** A well-formed token the server does not know (never issued, renewed away, or logged out). */
export function invalidSessionToken(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '390104',
    '08001',
    'User must login again to access this resource.',
  );
}

/** No `Authorization: Snowflake Token="..."` header at all; Snowflake answers 401 here. */
export function missingSessionToken(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    401,
    '390104',
    '08001',
    'User must login again to access this resource.',
  );
}

export function sessionTokenExpired(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '390112',
    '08001',
    'Your session has expired. Please login again.',
  );
}

export function masterTokenExpired(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '390114',
    '08001',
    'Authentication token has expired.  The user must authenticate again.',
  );
}

export function sessionGone(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '390111',
    '08001',
    'Session no longer exists.  New login required to access the service.',
  );
}

// Malformed requests. These codes are the sandbox's own and mirror the HTTP status.

export function requestInvalid(detail: string): SnowflakeReplyError {
  return new SnowflakeReplyError(400, '000400', null, `Invalid request: ${detail}`);
}

export function endpointNotFound(): SnowflakeReplyError {
  return new SnowflakeReplyError(404, '000404', null, 'No such endpoint.');
}

export function methodNotAllowed(allowed: string): SnowflakeReplyError {
  return new SnowflakeReplyError(405, '000405', null, `Method not allowed; use ${allowed}.`);
}

export function requestTooLarge(limitBytes: number): SnowflakeReplyError {
  return new SnowflakeReplyError(413, '000413', null, `Request body exceeds ${limitBytes} bytes.`);
}

// Statement refusals: HTTP 200 with success false and the statement's query id.

export function emptySqlText(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '000900',
    '42000',
    'SQL compilation error:\nEmpty SQL statement.',
  );
}

export function statementCountMismatch(actual: number, desired: number): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '000008',
    '0A000',
    `Actual statement count ${actual} did not match the desired statement count ${desired}.`,
  );
}

export function statementCancelled(): SnowflakeReplyError {
  return new SnowflakeReplyError(200, '000604', '57014', 'SQL execution canceled');
}

export function queryNotFound(queryId: string): SnowflakeReplyError {
  return new SnowflakeReplyError(200, '000709', '02000', `Statement ${queryId} not found`);
}

export function queryNotExecuting(): SnowflakeReplyError {
  return new SnowflakeReplyError(
    200,
    '000605',
    '01000',
    'Identified SQL statement is not currently executing.',
  );
}

export function featureUnsupported(feature: string): SnowflakeReplyError {
  return new SnowflakeReplyError(200, '000002', '0A000', `Unsupported feature '${feature}'.`);
}

/** Our own fault. HTTP 200, because the drivers retry 5xx answers for minutes. */
export function internalError(): SnowflakeReplyError {
  return new SnowflakeReplyError(200, '000603', 'XX000', 'Internal error processing the request.');
}
