import { randomBytes } from 'node:crypto';
import { CHUNK_PATH_PREFIX } from './protocol.js';
import type { ResultSummary } from './results.js';
import type { GatewaySession, TrackedStatement } from './sessions.js';

/**
 * Chunk tickets: the opaque ids in the chunk URLs the gateway writes into replies. A ticket
 * remembers where the chunk really is and with which headers upstream said to fetch it; the
 * client never learns either. Like a presigned URL, a ticket is a capability: 256 random bits,
 * valid while its session lives and at most `ttlMs`.
 */

export interface ChunkTicket {
  session: GatewaySession;
  statement: TrackedStatement;
  queryId: string | null;
  chunkIndex: number;
  format: 'json' | 'arrow';
  upstreamUrl: string;
  headers: Record<string, string>;
  expiresAt: number;
}

export class ChunkRegistry {
  readonly #tickets = new Map<string, ChunkTicket>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** `ttlMs` default: 6 hours, past the lifetime of Snowflake's own chunk URLs. */
  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 6 * 3600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Issues one ticket per chunk of a result; returns the URLs the client gets, in order. */
  issue(
    session: GatewaySession,
    statement: TrackedStatement,
    summary: ResultSummary,
    baseUrl: string,
  ): string[] {
    const expiresAt = this.#now() + this.#ttlMs;
    return summary.chunks.map((chunk) => {
      const id = randomBytes(32).toString('base64url');
      this.#tickets.set(id, {
        session,
        statement,
        queryId: summary.queryId,
        chunkIndex: chunk.index,
        format: summary.format,
        upstreamUrl: chunk.url,
        headers: summary.chunkHeaders,
        expiresAt,
      });
      return `${baseUrl}${CHUNK_PATH_PREFIX}${id}`;
    });
  }

  /** The live ticket for an id, or null (unknown, expired, or its session ended). */
  find(id: string): ChunkTicket | null {
    const ticket = this.#tickets.get(id);
    if (ticket === undefined) return null;
    if (ticket.session.ended || this.#now() >= ticket.expiresAt) {
      this.#tickets.delete(id);
      return null;
    }
    return ticket;
  }

  /** Drops the tickets of ended sessions and expired ones. */
  sweep(): void {
    const now = this.#now();
    for (const [id, ticket] of this.#tickets) {
      if (ticket.session.ended || now >= ticket.expiresAt) this.#tickets.delete(id);
    }
  }

  get size(): number {
    return this.#tickets.size;
  }
}
