/**
 * Stable error codes of Tollgate itself. Each is documented in docs/errors.md, and a test keeps
 * that page and this list in step. Protocol front ends translate these into their own shapes
 * (a Snowflake JSON error, a PostgreSQL ErrorResponse) at one boundary.
 */
export const ERROR_CODES = [
  'TG_CONFIG_INVALID',
  'TG_CONFIG_SECRET_INLINE',
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
  'TG_ISSUER_UNREACHABLE',
  'TG_DEV_ISSUER_MISSING',
  'TG_CREDENTIAL_MISSING',
  'TG_ACCESS_DENIED',
  'TG_CONNECTION_UNKNOWN',
  'TG_UPSTREAM_UNAVAILABLE',
  'TG_UPSTREAM_LOGIN_FAILED',
  'TG_UPSTREAM_PROTOCOL',
  'TG_SESSION_UNKNOWN',
  'TG_SESSION_EXPIRED',
  'TG_AUDIT_UNAVAILABLE',
  'TG_AUDIT_CHAIN_BROKEN',
  'TG_AUDIT_EVENT_UNKNOWN',
  'TG_FILE_TRANSFER_REFUSED',
  'TG_STATEMENT_REFUSED',
  'TG_REQUEST_INVALID',
  'TG_REQUEST_TOO_LARGE',
  'TG_INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error with a stable code; `message` is safe to show a client (it never holds secrets). */
export class TollgateError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TollgateError';
    this.code = code;
  }
}

export function isTollgateError(error: unknown): error is TollgateError {
  return error instanceof TollgateError;
}
