import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher, Pool } from 'undici';
import { TollgateError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { objectMembers, type Span, spanText } from './json-spans.js';
import { authorizationFor, PATHS, SNOWFLAKE_CODES } from './protocol.js';

/**
 * The upstream side: Tollgate's own Snowflake client. It logs in with the credentials only the
 * gateway holds, keeps the upstream tokens, renews them when upstream says they expired, and
 * sends the client's requests on with the upstream token in place of the client's.
 */

/** Members of the login request's `data` that prove Tollgate's identity upstream. */
export interface UpstreamCredential {
  /** `{AUTHENTICATOR: 'SNOWFLAKE', PASSWORD}` or `{AUTHENTICATOR: 'SNOWFLAKE_JWT', TOKEN}`. */
  loginFields(): Promise<Record<string, string>>;
}

/** One upstream Snowflake account and the identity Tollgate uses there. */
export interface UpstreamTarget {
  /** The connection name, for messages and logs. */
  connection: string;
  /** Base URL, e.g. `https://acme-prod.snowflakecomputing.com` or a sandbox's URL. */
  url: string;
  account: string;
  user: string;
  credential: UpstreamCredential;
}

/** What the client's login asks for, decided by the front end before the upstream login. */
export interface UpstreamLoginRequest {
  warehouse: string | null;
  database: string | null;
  schema: string | null;
  role: string | null;
  clientAppId: string | null;
  clientAppVersion: string | null;
  clientEnvironment: Record<string, unknown> | null;
  sessionParameters: Record<string, unknown> | null;
}

/** An upstream session: tokens that never leave the gateway. */
export interface UpstreamSession {
  /** Upstream's session id, digit for digit (it does not fit a JavaScript number). */
  sessionId: string;
  token: string;
  masterToken: string;
  validityInSeconds: number;
  masterValidityInSeconds: number;
  /** The login reply's `data` as text, with the spans of its members. */
  loginData: { text: string; members: Map<string, Span> };
  /** The renewal in flight, shared by every request that found the token expired. */
  renewal: Promise<void> | null;
  /** Set once upstream has said the session is gone. */
  gone: boolean;
}

/** A Snowflake reply envelope as read from upstream. */
export interface ReplyEnvelope {
  success: boolean;
  code: string | null;
  message: string | null;
  data: Record<string, unknown> | null;
}

/** An upstream reply: the exact text, and its envelope parsed for reading (never re-sent). */
export interface UpstreamReply {
  text: string;
  envelope: ReplyEnvelope;
}

/** A request sent on for a client, with the upstream token put in. */
export interface ForwardedRequest {
  method: 'GET' | 'POST';
  /** Path and query string, as the client sent them. */
  path: string;
  body?: Buffer;
  /** Headers from the client worth keeping (content type, accept, client app). */
  headers?: Record<string, string>;
}

export interface UpstreamOptions {
  logger: Logger;
  /** Longest wait for upstream's reply headers, in ms. Default 600 000 (Snowflake answers a
   * long query with "still running" well before that). */
  replyTimeoutMs?: number;
  /** Connections kept open to upstream. Default 128. */
  connections?: number;
}

/** Per-request bounds that replace the pool's (sized for long queries) on one exchange. */
interface ReplyTimeouts {
  headersTimeout?: number;
  bodyTimeout?: number;
}

/**
 * A logout is tiny and nobody waits for its answer but a shutdown, which must not sit out the
 * ten minutes a query may take because upstream stopped answering.
 */
const LOGOUT_TIMEOUTS: ReplyTimeouts = { headersTimeout: 10_000, bodyTimeout: 10_000 };

/** Upstream codes after which the upstream session cannot be used any more. */
const SESSION_GONE_CODES = new Set<string | null>([
  SNOWFLAKE_CODES.sessionTokenInvalid,
  SNOWFLAKE_CODES.sessionGone,
  SNOWFLAKE_CODES.masterTokenExpired,
]);

export class UpstreamClient {
  readonly target: UpstreamTarget;
  readonly #pool: Pool;
  readonly #chunkAgent: Agent;
  readonly #log: Logger;

  constructor(target: UpstreamTarget, options: UpstreamOptions) {
    this.target = target;
    this.#log = options.logger;
    const timeout = options.replyTimeoutMs ?? 600_000;
    const timeouts = { headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: 10_000 };
    this.#pool = new Pool(new URL(target.url).origin, {
      ...timeouts,
      connections: options.connections ?? 128,
      keepAliveTimeout: 30_000,
    });
    this.#chunkAgent = new Agent({ ...timeouts, keepAliveTimeout: 30_000 });
  }

  /** Logs in upstream with the held credential. */
  async login(request: UpstreamLoginRequest): Promise<UpstreamSession> {
    const body = JSON.stringify({ data: await this.#loginData(request) });
    const path = `${PATHS.login}?${loginQuery(request)}`;
    const reply = await this.#exchange({ method: 'POST', path, body: Buffer.from(body) }, null);

    if (!reply.envelope.success) {
      throw new TollgateError(
        'TG_UPSTREAM_LOGIN_FAILED',
        `upstream login for connection "${this.target.connection}" was refused (code ${reply.envelope.code ?? 'none'})`,
      );
    }
    return sessionFromLogin(reply.text, this.target.connection);
  }

  async #loginData(request: UpstreamLoginRequest): Promise<Record<string, unknown>> {
    const data: Record<string, unknown> = {
      ACCOUNT_NAME: this.target.account,
      LOGIN_NAME: this.target.user,
      ...(await this.target.credential.loginFields()),
    };
    if (request.clientAppId !== null) data.CLIENT_APP_ID = request.clientAppId;
    if (request.clientAppVersion !== null) data.CLIENT_APP_VERSION = request.clientAppVersion;
    if (request.clientEnvironment !== null) data.CLIENT_ENVIRONMENT = request.clientEnvironment;
    if (request.sessionParameters !== null) data.SESSION_PARAMETERS = request.sessionParameters;
    return data;
  }

  /**
   * Sends a client's request on, as this session. When upstream says the session token expired
   * (390112), renews it and sends the request once more, so the client never sees upstream's
   * expiry.
   */
  async send(session: UpstreamSession, request: ForwardedRequest): Promise<UpstreamReply> {
    const first = await this.#sendAs(session, request);
    if (first.envelope.code !== SNOWFLAKE_CODES.sessionTokenExpired) return first;

    await this.renew(session);
    return this.#sendAs(session, request);
  }

  async #sendAs(session: UpstreamSession, request: ForwardedRequest): Promise<UpstreamReply> {
    if (session.renewal !== null) await session.renewal;
    const reply = await this.#exchange(request, session.token);
    if (SESSION_GONE_CODES.has(reply.envelope.code)) throw upstreamSessionGone(session);
    return reply;
  }

  /** Renews the session token with the master token; concurrent callers share one renewal. */
  renew(session: UpstreamSession): Promise<void> {
    session.renewal ??= this.#renew(session).finally(() => {
      session.renewal = null;
    });
    return session.renewal;
  }

  async #renew(session: UpstreamSession): Promise<void> {
    const body = JSON.stringify({ requestType: 'RENEW', oldSessionToken: session.token });
    const path = `${PATHS.tokenRequest}?requestId=${randomUUID()}&request_guid=${randomUUID()}`;
    const request: ForwardedRequest = { method: 'POST', path, body: Buffer.from(body) };
    const reply = await this.#exchange(request, session.masterToken);
    if (!reply.envelope.success) throw upstreamSessionGone(session);

    applyRenewal(session, reply.envelope.data ?? {});
    this.#log.debug({ upstreamSessionId: session.sessionId }, 'upstream session token renewed');
  }

  /** Ends the upstream session; failures are logged, since the client is leaving anyway. */
  async logout(session: UpstreamSession): Promise<void> {
    if (session.gone) return;
    session.gone = true;
    const path = `${PATHS.session}?delete=true&requestId=${randomUUID()}`;
    try {
      await this.#exchange({ method: 'POST', path }, session.token, LOGOUT_TIMEOUTS);
    } catch (error) {
      this.#log.info(
        { err: error, upstreamSessionId: session.sessionId },
        'upstream logout failed',
      );
    }
  }

  /** Fetches a result chunk from where upstream put it, with the headers upstream gave for it. */
  async fetchChunk(url: string, headers: Record<string, string>, signal: AbortSignal) {
    try {
      return await this.#chunkAgent.request({
        origin: new URL(url).origin,
        path: pathOf(url),
        method: 'GET',
        headers,
        signal,
      });
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool.close(), this.#chunkAgent.close()]);
  }

  /** One HTTP exchange with upstream; transport failures become TG_UPSTREAM_UNAVAILABLE. */
  async #exchange(
    request: ForwardedRequest,
    token: string | null,
    timeouts: ReplyTimeouts = {},
  ): Promise<UpstreamReply> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.#pool.request({
        method: request.method,
        path: request.path,
        headers: upstreamHeaders(request, token),
        body: request.body ?? null,
        ...timeouts,
      });
    } catch (error) {
      throw this.#unavailable(error);
    }
    return this.#readReply(response);
  }

  async #readReply(response: Dispatcher.ResponseData): Promise<UpstreamReply> {
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.#unavailable(error);
    }
    const envelope = parseEnvelope(text);
    if (envelope === null) throw this.#protocolError(response.statusCode);
    return { text, envelope };
  }

  #unavailable(error: unknown): TollgateError {
    this.#log.error(
      { err: error, connection: this.target.connection },
      'upstream request failed in transport',
    );
    return new TollgateError(
      'TG_UPSTREAM_UNAVAILABLE',
      `upstream of connection "${this.target.connection}" is unreachable`,
      { cause: error },
    );
  }

  #protocolError(status: number): TollgateError {
    this.#log.error(
      { status, connection: this.target.connection },
      'upstream reply is not a Snowflake JSON reply',
    );
    return new TollgateError(
      'TG_UPSTREAM_PROTOCOL',
      `upstream of connection "${this.target.connection}" sent a reply that is not Snowflake's (HTTP ${status})`,
    );
  }
}

function loginQuery(request: UpstreamLoginRequest): string {
  const query = new URLSearchParams({ requestId: randomUUID(), request_guid: randomUUID() });
  if (request.warehouse !== null) query.set('warehouse', request.warehouse);
  if (request.database !== null) query.set('databaseName', request.database);
  if (request.schema !== null) query.set('schemaName', request.schema);
  if (request.role !== null) query.set('roleName', request.role);
  return query.toString();
}

function upstreamHeaders(request: ForwardedRequest, token: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
    ...request.headers,
  };
  if (token !== null) headers.authorization = authorizationFor(token);
  return headers;
}

/** The envelope of a reply, or null when the text is not one. */
function parseEnvelope(text: string): ReplyEnvelope | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const reply = value as Record<string, unknown>;
  if (typeof reply.success !== 'boolean') return null;
  return {
    success: reply.success,
    code: typeof reply.code === 'string' ? reply.code : null,
    message: typeof reply.message === 'string' ? reply.message : null,
    data: isObject(reply.data) ? reply.data : null,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The upstream session described by a successful login reply's exact text. */
function sessionFromLogin(text: string, connection: string): UpstreamSession {
  const top = objectMembers(text, 0);
  const dataSpan = top.get('data');
  if (dataSpan === undefined) throw malformedLogin(connection);

  const members = objectMembers(text, dataSpan.start);
  const read = (key: string): unknown => {
    const span = members.get(key);
    return span === undefined ? undefined : JSON.parse(spanText(text, span));
  };
  const sessionIdSpan = members.get('sessionId');
  const token = read('token');
  const masterToken = read('masterToken');
  if (typeof token !== 'string' || typeof masterToken !== 'string' || !sessionIdSpan) {
    throw malformedLogin(connection);
  }

  return {
    sessionId: spanText(text, sessionIdSpan).replace(/"/g, ''),
    token,
    masterToken,
    validityInSeconds: numberOr(read('validityInSeconds'), 3600),
    masterValidityInSeconds: numberOr(read('masterValidityInSeconds'), 14_400),
    loginData: { text: spanText(text, dataSpan), members: shiftSpans(members, dataSpan.start) },
    renewal: null,
    gone: false,
  };
}

function shiftSpans(members: Map<string, Span>, offset: number): Map<string, Span> {
  const shifted = new Map<string, Span>();
  for (const [key, span] of members) {
    shifted.set(key, { start: span.start - offset, end: span.end - offset });
  }
  return shifted;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function applyRenewal(session: UpstreamSession, data: Record<string, unknown>): void {
  const token = data.sessionToken ?? data.token;
  if (typeof token === 'string') session.token = token;
  if (typeof data.masterToken === 'string') session.masterToken = data.masterToken;
  session.validityInSeconds = numberOr(
    data.validityInSeconds ?? data.validityInSecondsST,
    session.validityInSeconds,
  );
  session.masterValidityInSeconds = numberOr(
    data.masterValidityInSeconds ?? data.validityInSecondsMT,
    session.masterValidityInSeconds,
  );
}

function malformedLogin(connection: string): TollgateError {
  return new TollgateError(
    'TG_UPSTREAM_PROTOCOL',
    `upstream login reply of connection "${connection}" lacks its tokens or session id`,
  );
}

function upstreamSessionGone(session: UpstreamSession): TollgateError {
  session.gone = true;
  return new TollgateError(
    'TG_SESSION_UNKNOWN',
    'the upstream session has ended; log in again to open a new one',
  );
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
