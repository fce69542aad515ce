import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Where chunk downloads are served; the rest of the path is `<queryId>/<part>`. */
export const CHUNK_PATH_PREFIX = '/sandbox/chunks/';

/** The outcome of checking a chunk URL's signature and expiry. */
export type ChunkUrlCheck = 'valid' | 'expired' | 'forged';

/**
 * Signs chunk URLs the way cloud storage presigns them: the URL carries its expiry and an HMAC
 * over what it names, so a chunk needs no session token, and an expired URL fails with 403,
 * which is what makes the drivers ask `/queries/{id}/result` for fresh ones.
 */
export class ChunkUrlSigner {
  readonly #secret = randomBytes(32);
  readonly #lifetimeMs: number;
  readonly #now: () => number;

  constructor(lifetimeSeconds: number, now: () => number = Date.now) {
    this.#lifetimeMs = lifetimeSeconds * 1000;
    this.#now = now;
  }

  /** A fresh URL for part `part` of a query's result (part 0 is the inline rows). */
  sign(baseUrl: string, queryId: string, part: number): string {
    const expires = this.#now() + this.#lifetimeMs;
    const signature = this.#signature(queryId, part, expires);
    return `${baseUrl}${CHUNK_PATH_PREFIX}${queryId}/${part}?expires=${expires}&signature=${signature}`;
  }

  check(
    queryId: string,
    part: number,
    expires: string | null,
    signature: string | null,
  ): ChunkUrlCheck {
    const expiresAt = Number(expires);
    if (!Number.isSafeInteger(expiresAt) || signature === null) return 'forged';

    const expected = Buffer.from(this.#signature(queryId, part, expiresAt));
    const presented = Buffer.from(signature);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
      return 'forged';
    }
    return this.#now() >= expiresAt ? 'expired' : 'valid';
  }

  #signature(queryId: string, part: number, expiresAt: number): string {
    return createHmac('sha256', this.#secret)
      .update(`${queryId}/${part}/${expiresAt}`)
      .digest('base64url');
  }
}
