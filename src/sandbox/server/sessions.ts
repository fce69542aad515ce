import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { EngineSession } from '../engine/types.js';
import {
  invalidSessionToken,
  masterTokenExpired,
  missingSessionToken,
  sessionTokenExpired,
} from './errors.js';
import type { JsonValue } from './json.js';
import { QueryContext } from './query-context.js';

/** The pair of tokens a login or a renewal hands out, with their expiry instants (ms). */
export interface SessionTokens {
  sessionToken: string;
  masterToken: string;
  sessionExpiresAt: number;
  masterExpiresAt: number;
}

/** Who logged in and with which client; fixed for the life of the session. */
export interface SessionIdentity {
  user: string;
  clientAppId: string;
  clientAppVersion: string;
}

/** One logged-in Snowflake session of the sandbox. */
export class SandboxSession {
  /** Snowflake session ids are 64-bit; this one is always above 2^53 on purpose. */
  readonly id: bigint;
  readonly identity: SessionIdentity;
  readonly engine: EngineSession;
  readonly queryContext = new QueryContext();
  readonly logger: Logger;
  tokens: SessionTokens;

  constructor(
    identity: SessionIdentity,
    engine: EngineSession,
    tokens: SessionTokens,
    logger: Logger,
  ) {
    this.id = newSessionId();
    this.identity = identity;
    this.engine = engine;
    this.tokens = tokens;
    this.logger = logger.child({ sessionId: this.id.toString(), user: identity.user });
  }

  /** `validityInSeconds` and friends as of now, for login and renewal replies. */
  validity(now: number): { session: number; master: number } {
    return {
      session: Math.max(0, Math.round((this.tokens.sessionExpiresAt - now) / 1000)),
      master: Math.max(0, Math.round((this.tokens.masterExpiresAt - now) / 1000)),
    };
  }

  /** The `sessionInfo` object of a login reply. */
  sessionInfo(): Record<string, JsonValue> {
    const state = this.engine.state;
    return {
      databaseName: state.database,
      schemaName: state.schema,
      warehouseName: state.warehouse,
      roleName: state.role,
    };
  }
}

/** Token lifetimes in seconds. */
export interface TokenLifetimes {
  sessionSeconds: number;
  masterSeconds: number;
}

/**
 * Every live session, found by the token a request carries. Expiry is checked on each use; a
 * sweep closes sessions whose master token has run out, as Snowflake forgets them.
 */
export class SessionStore {
  readonly #bySessionToken = new Map<string, SandboxSession>();
  readonly #byMasterToken = new Map<string, SandboxSession>();
  readonly #lifetimes: TokenLifetimes;
  readonly #now: () => number;

  constructor(lifetimes: TokenLifetimes, now: () => number = Date.now) {
    this.#lifetimes = lifetimes;
    this.#now = now;
  }

  get size(): number {
    return this.#byMasterToken.size;
  }

  /** Registers a session opened by a successful login. */
  open(identity: SessionIdentity, engine: EngineSession, logger: Logger): SandboxSession {
    const session = new SandboxSession(identity, engine, this.#issueTokens(), logger);
    this.#index(session);
    return session;
  }

  /** The session of `Authorization: Snowflake Token="<session token>"`. */
  bySessionToken(authorization: string | undefined): SandboxSession {
    const token = tokenOf(authorization);
    const session = this.#bySessionToken.get(token);
    if (session === undefined) throw invalidSessionToken();
    if (this.#now() >= session.tokens.sessionExpiresAt) throw sessionTokenExpired();
    return session;
  }

  /** The session whose master token the header carries (token renewal). */
  byMasterToken(authorization: string | undefined): SandboxSession {
    const token = tokenOf(authorization);
    const session = this.#byMasterToken.get(token);
    if (session === undefined) throw invalidSessionToken();
    if (this.#now() >= session.tokens.masterExpiresAt) throw masterTokenExpired();
    return session;
  }

  /**
   * Replaces both tokens of a session. `oldSessionToken` must be the one in use: renewing with a
   * stale token means another client already renewed, and Snowflake refuses that too.
   */
  renew(session: SandboxSession, oldSessionToken: string): SessionTokens {
    if (oldSessionToken !== session.tokens.sessionToken) throw invalidSessionToken();
    this.#unindex(session);
    session.tokens = this.#issueTokens();
    this.#index(session);
    return session.tokens;
  }

  /** Forgets a session; its tokens stop working at once. */
  remove(session: SandboxSession): void {
    this.#unindex(session);
  }

  /** Sessions whose master token has expired, removed from the store for the caller to close. */
  takeExpired(): SandboxSession[] {
    const now = this.#now();
    const expired = [...this.#byMasterToken.values()].filter(
      (s) => now >= s.tokens.masterExpiresAt,
    );
    for (const session of expired) this.#unindex(session);
    return expired;
  }

  /** Every session, removed from the store (server shutdown). */
  takeAll(): SandboxSession[] {
    const all = [...this.#byMasterToken.values()];
    for (const session of all) this.#unindex(session);
    return all;
  }

  #issueTokens(): SessionTokens {
    const now = this.#now();
    return {
      sessionToken: newToken('st'),
      masterToken: newToken('mt'),
      sessionExpiresAt: now + this.#lifetimes.sessionSeconds * 1000,
      masterExpiresAt: now + this.#lifetimes.masterSeconds * 1000,
    };
  }

  #index(session: SandboxSession): void {
    this.#bySessionToken.set(session.tokens.sessionToken, session);
    this.#byMasterToken.set(session.tokens.masterToken, session);
  }

  #unindex(session: SandboxSession): void {
    this.#bySessionToken.delete(session.tokens.sessionToken);
    this.#byMasterToken.delete(session.tokens.masterToken);
  }
}

const AUTHORIZATION = /^Snowflake Token="([^"]+)"$/i;

function tokenOf(authorization: string | undefined): string {
  const match = AUTHORIZATION.exec(authorization ?? '');
  if (match === null) throw missingSessionToken();
  return match[1] ?? '';
}

function newToken(kind: 'st' | 'mt'): string {
  return `ver:1-${kind}:${randomBytes(32).toString('base64url')}`;
}

/** A random positive 63-bit id with the top bits set, so it never fits a double exactly. */
function newSessionId(): bigint {
  const random = randomBytes(8).readBigUInt64BE();
  return (random & ((1n << 62n) - 1n)) | (1n << 61n);
}
