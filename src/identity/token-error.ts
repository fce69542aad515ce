import { type ErrorCode, TollgateError } from '../errors.js';

/** The codes a token verification can end with. */
export type TokenErrorCode = Extract<ErrorCode, `TG_TOKEN_${string}` | 'TG_ISSUER_UNREACHABLE'>;

/**
 * Why a token was refused. `message` names the reason and the claim or header involved, and is
 * safe to send to the client and to write to the audit log: it never contains the token.
 */
export class TokenError extends TollgateError {
  declare readonly code: TokenErrorCode;
  /** The claim or header parameter that failed (`exp`, `aud`, `alg`, `kid`), when one did. */
  readonly claim: string | null;
  /** The token's `iss` as sent (unverified), so a failed login can still be attributed. */
  readonly issuer: string | null;

  constructor(
    code: TokenErrorCode,
    message: string,
    details: { claim?: string | null; issuer?: string | null; cause?: unknown } = {},
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'TokenError';
    this.claim = details.claim ?? null;
    this.issuer = details.issuer ?? null;
  }
}

const MAX_ECHO_LENGTH = 80;

/**
 * A claim value as it may appear in a message: quoted, without control characters, and cut
 * short, because the value came from an unverified token and ends up in logs and replies.
 */
export function echo(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  const short =
    printable.length > MAX_ECHO_LENGTH ? `${printable.slice(0, MAX_ECHO_LENGTH)}...` : printable;
  return `'${short}'`;
}
