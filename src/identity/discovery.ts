import {
  type CompactJWSHeaderParameters,
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWTVerifyGetKey,
} from 'jose';
import { isTrustworthyUrl } from '../config/schema.js';
import { echo, TokenError } from './token-error.js';

/** How discovery documents and key sets are fetched and cached. */
export interface KeySourceOptions {
  /** Timeout of each discovery and JWKS request, in milliseconds. Default 5000. */
  fetchTimeoutMs?: number;
  /**
   * Least time between two JWKS fetches caused by a token whose `kid` is not in the cached set,
   * in milliseconds. Bounds how often a stream of bad tokens can make Tollgate call the issuer.
   * Default 30 000.
   */
  jwksCooldownMs?: number;
  /** How long a fetched JWKS is used before it is fetched again, in milliseconds. Default 600 000. */
  jwksMaxAgeMs?: number;
}

/** The part of an OIDC discovery document Tollgate relies on. */
interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
}

/** Where OpenID Connect Discovery 1.0 (section 4) puts an issuer's metadata. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

function unreachable(issuer: string, reason: string, cause?: unknown): TokenError {
  const message = `issuer ${issuer} is unreachable: ${reason}`;
  return new TokenError('TG_ISSUER_UNREACHABLE', message, { issuer, cause });
}

/** Fetches and checks the discovery document; its `issuer` must equal ours exactly (4.3). */
async function discover(issuer: string, timeoutMs: number): Promise<DiscoveryDocument> {
  const url = discoveryUrl(issuer);
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((cause: unknown) => {
    throw unreachable(issuer, `discovery request to ${url} failed`, cause);
  });
  if (response.status !== 200) {
    throw unreachable(issuer, `discovery document ${url} answered HTTP ${response.status}`);
  }

  const document = (await response.json().catch(() => null)) as Partial<DiscoveryDocument> | null;
  if (document?.issuer !== issuer) {
    throw unreachable(issuer, `discovery document names issuer ${echo(document?.issuer)}`);
  }
  if (typeof document.jwks_uri !== 'string' || !isTrustworthyUrl(document.jwks_uri)) {
    throw unreachable(issuer, 'discovery document has no usable https jwks_uri');
  }
  return { issuer, jwks_uri: document.jwks_uri };
}

/** jose's answers that are about the token's key, not about reaching the issuer. */
function isKeySelectionError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys
  );
}

/**
 * The signing keys of one issuer: discovery once (retried after a failure), then jose's remote
 * JWKS, which caches the set and refetches it when a token names an unknown `kid` (rate-limited
 * by `jwksCooldownMs`), so an issuer's key rotation is picked up without a restart.
 */
export class IssuerKeys {
  readonly #issuer: string;
  readonly #options: Required<KeySourceOptions>;
  #keySet: Promise<JWTVerifyGetKey> | null = null;

  constructor(issuer: string, options: KeySourceOptions = {}) {
    this.#issuer = issuer;
    this.#options = {
      fetchTimeoutMs: options.fetchTimeoutMs ?? 5000,
      jwksCooldownMs: options.jwksCooldownMs ?? 30_000,
      jwksMaxAgeMs: options.jwksMaxAgeMs ?? 600_000,
    };
  }

  /** A jose key resolver; failures to reach the issuer become TG_ISSUER_UNREACHABLE. */
  readonly getKey = async (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => {
    const keySet = await this.#resolveKeySet();
    try {
      return await keySet(header, token);
    } catch (error) {
      if (isKeySelectionError(error)) throw error;
      throw unreachable(this.#issuer, 'its JWKS could not be fetched or read', error);
    }
  };

  #resolveKeySet(): Promise<JWTVerifyGetKey> {
    if (this.#keySet === null) {
      this.#keySet = this.#createKeySet();
      // A failed discovery is not cached: the next token tries again.
      this.#keySet.catch(() => {
        this.#keySet = null;
      });
    }
    return this.#keySet;
  }

  async #createKeySet(): Promise<JWTVerifyGetKey> {
    const document = await discover(this.#issuer, this.#options.fetchTimeoutMs);
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      timeoutDuration: this.#options.fetchTimeoutMs,
      cooldownDuration: this.#options.jwksCooldownMs,
      cacheMaxAge: this.#options.jwksMaxAgeMs,
    });
  }
}
