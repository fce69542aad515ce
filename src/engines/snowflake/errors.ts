import { type ErrorCode, isTollgateError } from '../../errors.js';
import type { SnowflakeErrorShape } from './codec.js';
import { SNOWFLAKE_CODES } from './protocol.js';

/**
 * The one boundary where failures become Snowflake error replies. Tollgate's own errors keep
 * their stable TG_* code in the message; failures the drivers act on (an unknown or expired
 * session, a bad OAuth token) carry the Snowflake code that triggers the driver's handling.
 * Internal error text, upstream tokens and credentials never pass through here to a client.
 */

interface Mapping {
  code: string;
  sqlState: string;
}

/** SQL states used in replies: classes 08 (connection), 28 (authorization), 0A, 22, 42, XX. */
const SQL_STATE = {
  connection: '08001',
  connectionFailure: '08006',
  authorization: '28000',
  notSupported: '0A000',
  insufficientPrivilege: '42501',
  invalidRequest: '22000',
  internal: 'XX000',
} as const;

/**
 * Codes for failures Snowflake itself has no code for. They sit in the 3999xx range, which no
 * Snowflake driver acts on, so a driver treats them as ordinary errors and shows the message.
 */
export const TOLLGATE_REPLY_CODES = {
  connectionUnknown: '399001',
  accessDenied: '399002',
  upstreamUnavailable: '399003',
  upstreamLoginFailed: '399004',
  upstreamProtocol: '399005',
  auditUnavailable: '399006',
  fileTransferRefused: '399007',
  requestInvalid: '399008',
  requestTooLarge: '399009',
  issuerUnreachable: '399010',
  statementRefused: '399011',
  internal: '399099',
} as const;

const MAPPINGS: Record<ErrorCode, Mapping> = {
  TG_CONFIG_INVALID: { code: TOLLGATE_REPLY_CODES.internal, sqlState: SQL_STATE.internal },
  TG_CONFIG_SECRET_INLINE: { code: TOLLGATE_REPLY_CODES.internal, sqlState: SQL_STATE.internal },
  TG_TOKEN_MALFORMED: oauthInvalid(),
  TG_TOKEN_EXPIRED: { code: SNOWFLAKE_CODES.oauthTokenExpired, sqlState: SQL_STATE.authorization },
  TG_TOKEN_NOT_YET_VALID: oauthInvalid(),
  TG_TOKEN_ISSUER_UNTRUSTED: oauthInvalid(),
  TG_TOKEN_AUDIENCE_MISMATCH: oauthInvalid(),
  TG_TOKEN_ALGORITHM_REJECTED: oauthInvalid(),
  TG_TOKEN_SIGNATURE_INVALID: oauthInvalid(),
  TG_TOKEN_KEY_UNKNOWN: oauthInvalid(),
  TG_TOKEN_REPLAYED: oauthInvalid(),
  TG_TOKEN_CLAIM_MISSING: oauthInvalid(),
  TG_ISSUER_UNREACHABLE: {
    code: TOLLGATE_REPLY_CODES.issuerUnreachable,
    sqlState: SQL_STATE.connection,
  },
  TG_DEV_ISSUER_MISSING: { code: TOLLGATE_REPLY_CODES.internal, sqlState: SQL_STATE.internal },
  TG_CREDENTIAL_MISSING: {
    code: TOLLGATE_REPLY_CODES.upstreamLoginFailed,
    sqlState: SQL_STATE.connection,
  },
  TG_ACCESS_DENIED: { code: TOLLGATE_REPLY_CODES.accessDenied, sqlState: SQL_STATE.authorization },
  TG_CONNECTION_UNKNOWN: {
    code: TOLLGATE_REPLY_CODES.connectionUnknown,
    sqlState: SQL_STATE.connection,
  },
  TG_UPSTREAM_UNAVAILABLE: {
    code: TOLLGATE_REPLY_CODES.upstreamUnavailable,
    sqlState: SQL_STATE.connectionFailure,
  },
  TG_UPSTREAM_LOGIN_FAILED: {
    code: TOLLGATE_REPLY_CODES.upstreamLoginFailed,
    sqlState: SQL_STATE.connection,
  },
  TG_UPSTREAM_PROTOCOL: {
    code: TOLLGATE_REPLY_CODES.upstreamProtocol,
    sqlState: SQL_STATE.connectionFailure,
  },
  TG_SESSION_UNKNOWN: {
    code: SNOWFLAKE_CODES.sessionTokenInvalid,
    sqlState: SQL_STATE.connectionFailure,
  },
  TG_SESSION_EXPIRED: {
    code: SNOWFLAKE_CODES.sessionTokenExpired,
    sqlState: SQL_STATE.connectionFailure,
  },
  TG_AUDIT_UNAVAILABLE: {
    code: TOLLGATE_REPLY_CODES.auditUnavailable,
    sqlState: SQL_STATE.connectionFailure,
  },
  TG_AUDIT_CHAIN_BROKEN: { code: TOLLGATE_REPLY_CODES.internal, sqlState: SQL_STATE.internal },
  TG_AUDIT_EVENT_UNKNOWN: { code: TOLLGATE_REPLY_CODES.internal, sqlState: SQL_STATE.internal },
  TG_FILE_TRANSFER_REFUSED: {
    code: TOLLGATE_REPLY_CODES.fileTransferRefused,
    sqlState: SQL_STATE.notSupported,
  },
  TG_STATEMENT_REFUSED: {
    code: TOLLGATE_REPLY_CODES.statementRefused,
    sqlState: SQL_STATE.insufficientPrivilege,
  },
  TG_REQUEST_INVALID: {
    code: TOLLGATE_REPLY_CODES.requestInvalid,
    sqlState: SQL_STATE.invalidRequest,
  },
  TG_REQUEST_TOO_LARGE: {
    code: TOLLGATE_REPLY_CODES.requestTooLarge,
    sqlState: SQL_STATE.invalidRequest,
  },
  TG_INTERNAL: { code: TOLLGATE_REPLY_CODES.internal, sqlState: SQL_STATE.internal },
};

function oauthInvalid(): Mapping {
  return { code: SNOWFLAKE_CODES.oauthTokenInvalid, sqlState: SQL_STATE.authorization };
}

/** The message a client sees for a failure that is Tollgate's own fault; no internals in it. */
const INTERNAL_MESSAGE = 'TG_INTERNAL: the gateway failed to handle the request; see its log';

/**
 * The Snowflake error shape for any failure. A TollgateError keeps its (client-safe) message,
 * prefixed with its code; anything else becomes TG_INTERNAL with a fixed message.
 */
export function toSnowflakeError(error: unknown): SnowflakeErrorShape {
  if (!isTollgateError(error)) {
    const mapping = MAPPINGS.TG_INTERNAL;
    return { code: mapping.code, sqlState: mapping.sqlState, message: INTERNAL_MESSAGE };
  }
  const mapping = MAPPINGS[error.code];
  return {
    code: mapping.code,
    sqlState: mapping.sqlState,
    message: `${error.code}: ${error.message}`,
  };
}

/** The Snowflake reply code for a Tollgate error code (what the audit log notes beside it). */
export function replyCodeFor(code: ErrorCode): string {
  return MAPPINGS[code].code;
}

/**
 * An error reply from upstream, reduced to what a client may see: the code, SQL state, query id
 * and Snowflake's own message for the statement. Nothing else from the upstream body is kept.
 */
export function relayedUpstreamError(reply: UpstreamErrorReply): SnowflakeErrorShape {
  return {
    code: reply.code ?? TOLLGATE_REPLY_CODES.upstreamProtocol,
    message: reply.message ?? 'the statement failed upstream without a message',
    sqlState: reply.sqlState ?? SQL_STATE.internal,
    queryId: reply.queryId,
  };
}

/** The parts of an upstream `success: false` reply that Tollgate reads. */
export interface UpstreamErrorReply {
  code: string | null;
  message: string | null;
  sqlState: string | null;
  queryId: string | null;
}

/** Codes a client's request caused (logged at info); any other failure is the gateway's or
 * upstream's (logged at error). */
const CLIENT_CAUSED = new Set<ErrorCode>([
  'TG_TOKEN_MALFORMED',
  'TG_TOKEN_EXPIRED',
  'TG_TOKEN_NOT_YET_VALID',
  'TG_TOKEN_ISSUER_UNTRUSTED',
  'TG_TOKEN_AUDIENCE_MISMATCH',
  'TG_TOKEN_ALGORITHM_REJECTED',
  'TG_TOKEN_SIGNATURE_INVALID',
  'TG_TOKEN_KEY_UNKNOWN',
  'TG_TOKEN_REPLAYED',
  'TG_TOKEN_CLAIM_MISSING',
  'TG_ACCESS_DENIED',
  'TG_CONNECTION_UNKNOWN',
  'TG_SESSION_UNKNOWN',
  'TG_SESSION_EXPIRED',
  'TG_FILE_TRANSFER_REFUSED',
  'TG_STATEMENT_REFUSED',
  'TG_REQUEST_INVALID',
  'TG_REQUEST_TOO_LARGE',
]);

export function isClientCaused(error: unknown): boolean {
  return isTollgateError(error) && CLIENT_CAUSED.has(error.code);
}
