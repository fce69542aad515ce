import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import type { IssuerConfig } from '../config/types.js';
import { type Logger, silentLogger } from '../log.js';
import { principalFromClaims } from './claims.js';
import { IssuerKeys, type KeySourceOptions } from './discovery.js';
import { MemoryReplayCache, type ReplayCache } from './replay.js';
import { echo, TokenError } from './token-error.js';
import type { Principal, TokenVerifier } from './types.js';

/** Options of `createTokenVerifier`. */
export interface TokenVerifierOptions extends KeySourceOptions {
  /** Where refusals (info), issuer outages (warn) and acceptances (debug) are logged. */
  logger?: Logger;
  /** The clock for `exp`, `nbf` and replay checks. Default: the system clock. Tests freeze it. */
  now?: () => Date;
  /** Remembers `jti` values of issuers with `requireJti`. Default: a MemoryReplayCache. */
  replayCache?: ReplayCache;
  /** The longest token accepted, in characters. Default 16 384. */
  maxTokenLength?: number;
}

/** What can be read from a token before its signature is checked. Never trusted. */
interface Unverified {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

function malformed(reason: string, issuer: string | null = null): TokenError {
  return new TokenError('TG_TOKEN_MALFORMED', `token is malformed: ${reason}`, { issuer });
}

/** Splits and decodes the token without trusting any of it. */
function decodeUnverified(token: unknown, maxLength: number): Unverified {
  if (typeof token !== 'string' || token.length === 0) throw malformed('no token was presented');
  if (token.length > maxLength) throw malformed(`longer than ${maxLength} characters`);

  const parts = token.split('.').length;
  if (parts === 5) throw malformed('encrypted tokens (JWE) are not accepted');
  if (parts !== 3) throw malformed('not a compact JWS (three dot-separated parts)');

  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch (cause) {
    throw new TokenError(
      'TG_TOKEN_MALFORMED',
      'token is malformed: header or claims are not base64url JSON objects',
      { cause },
    );
  }
}

/**
 * Verifies bearer tokens against the configured issuers. The issuer is chosen from the
 * unverified `iss` (an allow-list lookup, nothing else is trusted), then the token is verified
 * fully: `alg` pinned to the issuer's list, signature by a key from the issuer's JWKS (OIDC
 * discovery), exact audience, `exp` and `nbf` with the issuer's leeway, and `jti` once when the
 * issuer requires it. Follows RFC 8725 (JWT best current practice) and RFC 7519 section 7.2.
 */
class OidcTokenVerifier implements TokenVerifier {
  readonly #issuers = new Map<string, { config: IssuerConfig; keys: IssuerKeys }>();
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #replayCache: ReplayCache;
  readonly #maxTokenLength: number;

  constructor(issuers: readonly IssuerConfig[], options: TokenVerifierOptions) {
    for (const config of issuers) {
      this.#issuers.set(config.issuer, { config, keys: new IssuerKeys(config.issuer, options) });
    }
    this.#logger = options.logger ?? silentLogger();
    this.#now = options.now ?? (() => new Date());
    this.#replayCache = options.replayCache ?? new MemoryReplayCache();
    this.#maxTokenLength = options.maxTokenLength ?? 16_384;
  }

  async verify(token: string): Promise<Principal> {
    try {
      const unverified = decodeUnverified(token, this.#maxTokenLength);
      const { config, keys } = this.#pickIssuer(unverified);
      const claims = await this.#verifyWithIssuer(token, config, keys, unverified);

      this.#checkReplay(config, claims);
      const principal = principalFromClaims(config, claims);

      this.#logger.debug({ issuer: config.issuer, principal: principal.name }, 'token accepted');
      return principal;
    } catch (error) {
      throw this.#refused(error);
    }
  }

  /** The issuer entry for the token's `iss`, after the checks that need no key. */
  #pickIssuer({ header, claims }: Unverified) {
    const alg = header.alg;
    if (typeof alg !== 'string') throw malformed("header 'alg' is missing");
    if (alg.toLowerCase() === 'none') {
      const message = "algorithm 'none' (header 'alg') is never accepted: the token is unsigned";
      throw new TokenError('TG_TOKEN_ALGORITHM_REJECTED', message, { claim: 'alg' });
    }

    const iss = claims.iss;
    if (typeof iss !== 'string') {
      throw new TokenError('TG_TOKEN_CLAIM_MISSING', "claim 'iss' is missing", { claim: 'iss' });
    }
    const entry = this.#issuers.get(iss);
    if (entry === undefined) {
      const message = `issuer ${echo(iss)} (claim 'iss') is not trusted`;
      throw new TokenError('TG_TOKEN_ISSUER_UNTRUSTED', message, { claim: 'iss', issuer: iss });
    }

    const allowed: readonly string[] = entry.config.algorithms;
    if (!allowed.includes(alg)) throw algorithmRejected(alg, entry.config);
    return entry;
  }

  async #verifyWithIssuer(
    token: string,
    config: IssuerConfig,
    keys: IssuerKeys,
    unverified: Unverified,
  ): Promise<JWTPayload> {
    const options: JWTVerifyOptions = {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: config.algorithms,
      clockTolerance: config.clockLeeway,
      currentDate: this.#now(),
      requiredClaims: ['exp', 'sub'],
    };
    try {
      return (await jwtVerify(token, keys.getKey, options)).payload;
    } catch (error) {
      if (error instanceof errors.JWKSMultipleMatchingKeys) {
        return verifyWithCandidates(token, error, options, config, unverified);
      }
      throw fromJoseError(error, config, unverified);
    }
  }

  #checkReplay(config: IssuerConfig, claims: JWTPayload): void {
    if (!config.requireJti) return;

    if (typeof claims.jti !== 'string' || claims.jti === '') {
      const message = `claim 'jti' is missing; issuer ${config.issuer} requires single-use tokens`;
      throw new TokenError('TG_TOKEN_CLAIM_MISSING', message, {
        claim: 'jti',
        issuer: config.issuer,
      });
    }

    // exp is present: jwtVerify required it. Keep the id as long as the token could be accepted.
    const expiresAtMs = ((claims.exp ?? 0) + config.clockLeeway) * 1000;
    const key = `${config.issuer}\u0000${claims.jti}`;
    if (this.#replayCache.remember(key, expiresAtMs, this.#now().getTime())) return;

    const message = `token was already used (claim 'jti' ${echo(claims.jti)}); issuer ${config.issuer} requires single-use tokens`;
    throw new TokenError('TG_TOKEN_REPLAYED', message, { claim: 'jti', issuer: config.issuer });
  }

  /** Logs the refusal (without the token) and returns the error to throw. */
  #refused(error: unknown): unknown {
    if (!(error instanceof TokenError)) {
      // Not a verdict on the token but a fault of ours; the front end reports it as TG_INTERNAL.
      this.#logger.error({ err: error }, 'token verification failed unexpectedly');
      return error;
    }
    const fields = { code: error.code, claim: error.claim, issuer: error.issuer };

    if (error.code === 'TG_ISSUER_UNREACHABLE') {
      this.#logger.warn({ ...fields, reason: error.message }, 'token issuer unreachable');
    } else {
      this.#logger.info({ ...fields, reason: error.message }, 'token refused');
    }
    return error;
  }
}

function algorithmRejected(alg: string, config: IssuerConfig): TokenError {
  const allowed = config.algorithms.join(', ');
  const why = /^HS/i.test(alg)
    ? 'HMAC is never accepted for an issuer that signs with a public key'
    : `issuer ${config.issuer} allows ${allowed}`;
  const message = `algorithm ${echo(alg)} (header 'alg') is rejected: ${why}`;
  return new TokenError('TG_TOKEN_ALGORITHM_REJECTED', message, {
    claim: 'alg',
    issuer: config.issuer,
  });
}

/** A token without `kid` when the JWKS has several usable keys: try each (jose leaves it to us). */
async function verifyWithCandidates(
  token: string,
  candidates: errors.JWKSMultipleMatchingKeys,
  options: JWTVerifyOptions,
  config: IssuerConfig,
  unverified: Unverified,
): Promise<JWTPayload> {
  for await (const key of candidates) {
    try {
      return (await jwtVerify(token, key, options)).payload;
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) {
        throw fromJoseError(error, config, unverified);
      }
    }
  }
  throw fromJoseError(new errors.JWSSignatureVerificationFailed(), config, unverified);
}

function isoTime(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : echo(seconds);
}

/** Translates jose's verdict into a TG_TOKEN_* error naming the reason and the claim. */
function fromJoseError(error: unknown, config: IssuerConfig, { header, claims }: Unverified) {
  const issuer = config.issuer;
  const leeway = `leeway ${config.clockLeeway} s`;

  if (error instanceof TokenError) return error;
  if (error instanceof errors.JWTExpired) {
    const message = `token expired at ${isoTime(claims.exp)} (claim 'exp', ${leeway})`;
    return new TokenError('TG_TOKEN_EXPIRED', message, { claim: 'exp', issuer });
  }
  if (error instanceof errors.JWTClaimValidationFailed)
    return fromClaimFailure(error, config, claims);
  if (error instanceof errors.JWKSNoMatchingKey) {
    const message = `no key with id ${echo(header.kid ?? '(none)')} (header 'kid') in the JWKS of issuer ${issuer}`;
    return new TokenError('TG_TOKEN_KEY_UNKNOWN', message, { claim: 'kid', issuer });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    const message = `signature does not verify with the key ${echo(header.kid ?? '(none)')} of issuer ${issuer}`;
    return new TokenError('TG_TOKEN_SIGNATURE_INVALID', message, { issuer });
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return algorithmRejected(String(header.alg), config);
  }
  return new TokenError('TG_TOKEN_MALFORMED', 'token is malformed: it is not a valid signed JWT', {
    issuer,
    cause: error,
  });
}

function fromClaimFailure(
  error: errors.JWTClaimValidationFailed,
  config: IssuerConfig,
  claims: JWTPayload,
): TokenError {
  const issuer = config.issuer;
  const claim = error.claim;

  if (error.reason === 'missing') {
    return new TokenError('TG_TOKEN_CLAIM_MISSING', `claim '${claim}' is missing`, {
      claim,
      issuer,
    });
  }
  if (claim === 'nbf' && error.reason === 'check_failed') {
    const message = `token is not valid before ${isoTime(claims.nbf)} (claim 'nbf', leeway ${config.clockLeeway} s)`;
    return new TokenError('TG_TOKEN_NOT_YET_VALID', message, { claim, issuer });
  }
  if (claim === 'aud') {
    const message = `audience mismatch (claim 'aud'): expected ${echo(config.audience)}, got ${echo(claims.aud)}`;
    return new TokenError('TG_TOKEN_AUDIENCE_MISMATCH', message, { claim, issuer });
  }
  return new TokenError('TG_TOKEN_MALFORMED', `token is malformed: claim '${claim}' is invalid`, {
    claim,
    issuer,
  });
}

/**
 * Creates the verifier for `issuers` (from the config's `issuers`). Every failure is a
 * TokenError with a TG_TOKEN_* code (or TG_ISSUER_UNREACHABLE) whose message names the reason
 * and the claim and never contains the token.
 */
export function createTokenVerifier(
  issuers: readonly IssuerConfig[],
  options: TokenVerifierOptions = {},
): TokenVerifier {
  return new OidcTokenVerifier(issuers, options);
}
