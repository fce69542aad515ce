/**
 * Remembers single-use token ids (`jti`) until the token expires, so a token presented twice is
 * refused the second time. The default lives in the gateway's memory; several gateway replicas
 * sharing one issuer with `requireJti` need a shared implementation.
 */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAtMs`. Returns false when `key` was already recorded and has not
   * expired at `nowMs`.
   */
  remember(key: string, expiresAtMs: number, nowMs: number): boolean;
}

/** How many insertions pass between sweeps of expired entries. */
const SWEEP_EVERY = 256;

/** A ReplayCache in process memory; entries are dropped once their token has expired. */
export class MemoryReplayCache implements ReplayCache {
  readonly #expiries = new Map<string, number>();
  #insertions = 0;

  remember(key: string, expiresAtMs: number, nowMs: number): boolean {
    const known = this.#expiries.get(key);
    if (known !== undefined && known > nowMs) return false;

    this.#expiries.set(key, expiresAtMs);
    this.#insertions += 1;
    if (this.#insertions % SWEEP_EVERY === 0) this.#sweep(nowMs);
    return true;
  }

  /** Entries currently held (expired ones may linger until the next sweep). */
  get size(): number {
    return this.#expiries.size;
  }

  #sweep(nowMs: number): void {
    for (const [key, expiresAt] of this.#expiries) {
      if (expiresAt <= nowMs) this.#expiries.delete(key);
    }
  }
}
