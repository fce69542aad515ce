import { randomBytes } from 'node:crypto';
import { TollgateError } from '../../errors.js';
import type { Principal } from '../../identity/types.js';
import type { Logger } from '../../log.js';
import type { SessionAuditContext } from './audit-events.js';
import type { UpstreamClient, UpstreamSession } from './upstream.js';

/**
 * The map from the tokens Tollgate gives clients to the upstream sessions behind them. Client
 * tokens are random and opaque; they mean nothing upstream, and upstream's mean nothing here.
 */

/** A statement the gateway recorded, kept so retries, results and chunks find it again. */
export interface TrackedStatement {
  statementId: string;
  requestId: string | null;
  /** Set once upstream names the query that runs it. */
  queryId: string | null;
  startedAt: Date;
  claimedTags: Record<string, string>;
  /** Whether its statement_result is recorded (a retried or refreshed reply adds none). */
  resultRecorded: boolean;
  /** The SQL text of each part, for a multi-statement request. */
  parts: string[];
  /** For a child of a multi-statement request: which part it runs. */
  partIndex: number | null;
}

/** One client session: who logged in, the upstream session that serves it, what ran in it. */
export interface GatewaySession {
  /** The session id the client sees; decimal digits, like Snowflake's. */
  id: string;
  token: string;
  masterToken: string;
  tokenExpiresAt: number;
  masterExpiresAt: number;
  principal: Principal;
  connection: string;
  upstream: UpstreamSession;
  client: UpstreamClient;
  /** Session-level claimed tags; the current QUERY_TAG among them. */
  claimedTags: Record<string, string>;
  audit: SessionAuditContext;
  log: Logger;
  statementsByRequestId: Map<string, TrackedStatement>;
  statementsByQueryId: Map<string, TrackedStatement>;
  ended: boolean;
}

/** Statements remembered per session for retries and late results; the oldest are dropped. */
const TRACKED_STATEMENTS_PER_SESSION = 4096;

export type NewSession = Omit<
  GatewaySession,
  | 'id'
  | 'token'
  | 'masterToken'
  | 'tokenExpiresAt'
  | 'masterExpiresAt'
  | 'statementsByRequestId'
  | 'statementsByQueryId'
  | 'ended'
  | 'audit'
  | 'log'
> & { audit: Omit<SessionAuditContext, 'gatewaySessionId'>; log: Logger };

export class SessionStore {
  readonly #byToken = new Map<string, GatewaySession>();
  readonly #byMasterToken = new Map<string, GatewaySession>();
  readonly #byId = new Map<string, GatewaySession>();
  /** Query ids run through this gateway: the statement, and the principal that ran it. */
  readonly #queries = new Map<string, { principal: string; statement: TrackedStatement }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Opens a session and mints its client tokens, valid as long as upstream's. */
  open(fields: NewSession): GatewaySession {
    const id = newSessionId();
    const now = this.#now();
    const session: GatewaySession = {
      ...fields,
      id,
      token: newToken('tgs'),
      masterToken: newToken('tgm'),
      tokenExpiresAt: now + fields.upstream.validityInSeconds * 1000,
      masterExpiresAt: now + fields.upstream.masterValidityInSeconds * 1000,
      audit: { ...fields.audit, gatewaySessionId: id },
      log: fields.log.child({ gatewaySessionId: id }),
      statementsByRequestId: new Map(),
      statementsByQueryId: new Map(),
      ended: false,
    };
    this.#byToken.set(session.token, session);
    this.#byMasterToken.set(session.masterToken, session);
    this.#byId.set(id, session);
    return session;
  }

  /** The session a session token belongs to; 390104 when unknown, 390112 when expired. */
  bySessionToken(token: string | null): GatewaySession {
    const session = token === null ? undefined : this.#byToken.get(token);
    if (session === undefined) throw unknownSession();
    if (this.#now() >= session.tokenExpiresAt) {
      throw new TollgateError('TG_SESSION_EXPIRED', 'the session token has expired; renew it');
    }
    return session;
  }

  /** The session a master token belongs to (token renewal). */
  byMasterToken(token: string | null): GatewaySession {
    const session = token === null ? undefined : this.#byMasterToken.get(token);
    if (session === undefined || this.#now() >= session.masterExpiresAt) throw unknownSession();
    return session;
  }

  /** Replaces both client tokens after a renewal; the old ones stop working at once. */
  renewTokens(session: GatewaySession): void {
    this.#byToken.delete(session.token);
    this.#byMasterToken.delete(session.masterToken);
    session.token = newToken('tgs');
    session.masterToken = newToken('tgm');
    session.tokenExpiresAt = this.#now() + session.upstream.validityInSeconds * 1000;
    session.masterExpiresAt = this.#now() + session.upstream.masterValidityInSeconds * 1000;
    this.#byToken.set(session.token, session);
    this.#byMasterToken.set(session.masterToken, session);
  }

  /** Forgets a session; its tokens stop working. */
  close(session: GatewaySession): void {
    session.ended = true;
    this.#byToken.delete(session.token);
    this.#byMasterToken.delete(session.masterToken);
    this.#byId.delete(session.id);
  }

  /** Sessions whose master token has expired: the client can no longer renew them. */
  expired(): GatewaySession[] {
    const now = this.#now();
    return [...this.#byId.values()].filter((session) => now >= session.masterExpiresAt);
  }

  all(): GatewaySession[] {
    return [...this.#byId.values()];
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Remembers a statement by its request id, for retries. */
  trackStatement(session: GatewaySession, statement: TrackedStatement): void {
    if (statement.requestId === null) return;
    boundedSet(session.statementsByRequestId, statement.requestId, statement);
  }

  /** Remembers which statement a query id runs, and who may ask about that query. */
  trackQuery(session: GatewaySession, queryId: string, statement: TrackedStatement): void {
    boundedSet(session.statementsByQueryId, queryId, statement);
    boundedSet(this.#queries, queryId, { principal: session.principal.name, statement }, 65_536);
  }

  /**
   * The statement behind a query id the session may ask about: one it ran, or one another
   * session of the same principal ran through this gateway. Null for any other query: upstream
   * would answer for every query of its user, and all principals share that user, so the gateway
   * draws the line.
   */
  statementForQuery(session: GatewaySession, queryId: string): TrackedStatement | null {
    const own = session.statementsByQueryId.get(queryId);
    if (own !== undefined) return own;
    const known = this.#queries.get(queryId);
    return known?.principal === session.principal.name ? known.statement : null;
  }
}

function boundedSet<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  limit = TRACKED_STATEMENTS_PER_SESSION,
): void {
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as K);
}

function unknownSession(): TollgateError {
  return new TollgateError(
    'TG_SESSION_UNKNOWN',
    'the session is not known to this gateway (it ended, or the gateway restarted); log in again',
  );
}

/** A client token: a type prefix and 256 random bits. */
function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** A 63-bit session id in decimal, shaped like Snowflake's and as wide. */
function newSessionId(): string {
  const id = randomBytes(8).readBigUInt64BE() >> 1n;
  return (id === 0n ? 1n : id).toString();
}
