import { decodeJwt } from 'jose';
import { isTollgateError, TollgateError } from '../../errors.js';
import type { Principal } from '../../identity/types.js';
import {
  anonymousContext,
  loginFailed,
  loginSucceeded,
  type SessionAuditContext,
} from './audit-events.js';
import { clientApplication, loginClaimedTags } from './claimed-tags.js';
import { inflateBody, objectField, parseRequestJson, stringField, successReply } from './codec.js';
import type { ConnectionRoute, FrontEndContext, SnowflakeRequest } from './context.js';
import { spanText } from './json-spans.js';
import type { GatewaySession } from './sessions.js';
import type { UpstreamSession } from './upstream.js';

/**
 * `POST /session/v1/login-request`: the client presents its OIDC token; the gateway verifies it,
 * checks access, logs in upstream with the credentials it holds, and hands out tokens of its own.
 */

/** Largest login body accepted; a login carries a token and some client facts, nothing more. */
export const MAX_LOGIN_BODY_BYTES = 256 * 1024;

/** What a login request says, before anything is checked. */
interface LoginAttempt {
  accountName: string | null;
  token: string;
  data: Record<string, unknown>;
  claimedTags: Record<string, string>;
  client: { app: string | null; version: string | null };
}

/** Authenticators whose credential field is the token; others send it as the password. */
const TOKEN_AUTHENTICATORS = new Set(['OAUTH', 'PROGRAMMATIC_ACCESS_TOKEN']);
const PASSWORD_AUTHENTICATORS = new Set(['SNOWFLAKE', '']);

export async function handleLogin(
  context: FrontEndContext,
  request: SnowflakeRequest,
): Promise<string> {
  const body = parseRequestJson(inflateBody(request.body, MAX_LOGIN_BODY_BYTES));
  const data = objectField(body, 'data');
  if (data === null) throw new TollgateError('TG_REQUEST_INVALID', 'login request has no "data"');

  const claimedTags = loginClaimedTags(data);
  const client = clientApplication(data);
  const failure = anonymousContext(stringField(data, 'ACCOUNT_NAME'), claimedTags, client);
  try {
    const attempt = readAttempt(data, claimedTags, client);
    return await logIn(context, request, attempt, failure);
  } catch (error) {
    await recordFailure(context, failure, error, unverifiedIssuer(data));
    throw error;
  }
}

/** The token a login carries, in whichever field its authenticator puts it. */
function readAttempt(
  data: Record<string, unknown>,
  claimedTags: Record<string, string>,
  client: LoginAttempt['client'],
): LoginAttempt {
  const authenticator = (stringField(data, 'AUTHENTICATOR') ?? '').toUpperCase();
  let token: string | null = null;
  if (TOKEN_AUTHENTICATORS.has(authenticator)) token = stringField(data, 'TOKEN');
  else if (PASSWORD_AUTHENTICATORS.has(authenticator)) token = stringField(data, 'PASSWORD');
  else throw unsupportedAuthenticator(authenticator);

  if (token === null || token.length === 0) {
    throw new TollgateError('TG_TOKEN_MALFORMED', 'the login carries no token');
  }
  return { accountName: stringField(data, 'ACCOUNT_NAME'), token, data, claimedTags, client };
}

function unsupportedAuthenticator(authenticator: string): TollgateError {
  return new TollgateError(
    'TG_TOKEN_MALFORMED',
    `authenticator ${authenticator} is not accepted; send the OIDC token with authenticator OAUTH`,
  );
}

async function logIn(
  context: FrontEndContext,
  request: SnowflakeRequest,
  attempt: LoginAttempt,
  failure: SessionAuditContext,
): Promise<string> {
  // Which connection: the account name the client sent.
  const route = findRoute(context, attempt.accountName);
  failure.connection = route.name;

  // Who: the verified token, then whether they may use this connection.
  const principal = await context.verifier.verify(attempt.token);
  failure.principal = principal.name;
  failure.verifiedTags = principal.tags;
  const grant = context.authorize(principal, route.name);

  // Upstream: log in with the held credentials.
  const upstream = await route.client.login({
    ...sessionDefaults(route, request.query),
    role: grant.role ?? route.role,
    clientAppId: attempt.client.app,
    clientAppVersion: attempt.client.version,
    clientEnvironment: objectField(attempt.data, 'CLIENT_ENVIRONMENT'),
    sessionParameters: objectField(attempt.data, 'SESSION_PARAMETERS'),
  });

  const session = openSession(context, route, principal, upstream, attempt);
  await recordSuccess(context, session);
  return loginReply(session);
}

function findRoute(context: FrontEndContext, accountName: string | null): ConnectionRoute {
  const route = accountName === null ? undefined : context.routes.get(accountName.toLowerCase());
  if (route !== undefined) return route;
  throw new TollgateError(
    'TG_CONNECTION_UNKNOWN',
    `no connection is named "${accountName ?? ''}"; send a configured connection name as the account`,
  );
}

/** Warehouse, database and schema: the client's choice, else the connection's default. */
function sessionDefaults(route: ConnectionRoute, query: URLSearchParams) {
  return {
    warehouse: query.get('warehouse') ?? route.warehouse,
    database: query.get('databaseName') ?? route.database,
    schema: query.get('schemaName') ?? route.schema,
  };
}

function openSession(
  context: FrontEndContext,
  route: ConnectionRoute,
  principal: Principal,
  upstream: UpstreamSession,
  attempt: LoginAttempt,
): GatewaySession {
  const session = context.sessions.open({
    principal,
    connection: route.name,
    upstream,
    client: route.client,
    claimedTags: attempt.claimedTags,
    audit: {
      principal: principal.name,
      connection: route.name,
      upstreamSessionId: upstream.sessionId,
      verifiedTags: principal.tags,
      claimedTags: attempt.claimedTags,
      clientApp: attempt.client.app,
      clientVersion: attempt.client.version,
    },
    log: context.log.child({ connection: route.name, upstreamSessionId: upstream.sessionId }),
  });
  session.log.info({ principal: principal.name }, 'session opened');
  return session;
}

/** The login is recorded before the client gets tokens; without a record, no session. */
async function recordSuccess(context: FrontEndContext, session: GatewaySession): Promise<void> {
  try {
    await context.audit.beforeAction(
      loginSucceeded(session.audit, session.principal.issuer),
      session.log,
    );
  } catch (error) {
    context.sessions.close(session);
    await session.client.logout(session.upstream);
    throw error;
  }
}

/** A refused login is on record before the client hears of it. */
async function recordFailure(
  context: FrontEndContext,
  failure: SessionAuditContext,
  error: unknown,
  issuer: string | null,
): Promise<void> {
  const code = isTollgateError(error) ? error.code : 'TG_INTERNAL';
  const message = isTollgateError(error) ? error.message : 'the gateway failed during login';
  context.log.info(
    { code, connection: failure.connection, principal: failure.principal },
    'login refused',
  );
  await context.audit.record(loginFailed(failure, issuer, { code, message }));
}

/** The `iss` a token claims, unverified, so a refused login still says whose token it was. */
function unverifiedIssuer(data: Record<string, unknown>): string | null {
  const token = stringField(data, 'TOKEN') ?? stringField(data, 'PASSWORD');
  if (token === null) return null;
  try {
    const issuer = decodeJwt(token).iss;
    return typeof issuer === 'string' ? issuer.slice(0, 512) : null;
  } catch {
    return null;
  }
}

/** Members of upstream's login reply that the client gets as they are. */
const PASSED_LOGIN_MEMBERS = [
  'parameters',
  'sessionInfo',
  'serverVersion',
  'healthCheckInterval',
  'newClientForUpgrade',
] as const;

/**
 * The client's login reply: the gateway's tokens and session id, upstream's validities, and the
 * session facts upstream reported (copied as text). No upstream token or id goes out.
 */
function loginReply(session: GatewaySession): string {
  const { loginData } = session.upstream;
  const members = [
    `"token":${JSON.stringify(session.token)}`,
    `"masterToken":${JSON.stringify(session.masterToken)}`,
    `"validityInSeconds":${session.upstream.validityInSeconds}`,
    `"masterValidityInSeconds":${session.upstream.masterValidityInSeconds}`,
    `"sessionId":${session.id}`,
  ];
  for (const key of PASSED_LOGIN_MEMBERS) {
    const span = loginData.members.get(key);
    if (span !== undefined)
      members.push(`${JSON.stringify(key)}:${spanText(loginData.text, span)}`);
  }
  return successReply(`{${members.join(',')}}`);
}
