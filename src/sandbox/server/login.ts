import { decodeJwt } from 'jose';
import type { OpenSessionOptions } from '../engine/types.js';
import { badCredentials, requestInvalid } from './errors.js';
import type { JsonValue } from './json.js';
import { parametersJson } from './parameters.js';
import { ok, type Reply } from './replies.js';
import { type LoginData, parseLoginBody } from './request-bodies.js';
import type { SandboxSession } from './sessions.js';
import type { RequestContext, ServerState } from './state.js';
import type { LoginCredentials } from './users.js';

/** The version the sandbox reports as Snowflake's; drivers only log it. */
const SERVER_VERSION = '9.0.0';

/** Authenticators that carry their credential in TOKEN rather than PASSWORD. */
const TOKEN_AUTHENTICATORS = new Set(['SNOWFLAKE_JWT', 'OAUTH', 'PROGRAMMATIC_ACCESS_TOKEN']);

/**
 * POST /session/v1/login-request. Without a users file any credential is accepted and the
 * login name becomes the current user; with one, the credential is checked and a wrong one
 * gets 390100 as Snowflake answers it.
 */
export async function handleLogin(state: ServerState, ctx: RequestContext): Promise<Reply> {
  const data = parseLoginBody(ctx.body);
  const credentials = credentialsOf(data);

  const users = state.options.users;
  if (users !== null && !(await users.verify(credentials))) {
    state.logger.info(
      { user: credentials.loginName, authenticator: credentials.authenticator },
      'sandbox login refused',
    );
    throw badCredentials();
  }

  const engineSession = await state.engine.openSession(openOptions(credentials, data, ctx.url));
  const session = state.sessions.open(
    {
      user: engineSession.state.user,
      clientAppId: data.CLIENT_APP_ID ?? '',
      clientAppVersion: data.CLIENT_APP_VERSION ?? '',
    },
    engineSession,
    state.logger,
  );
  session.logger.info(
    { clientApp: data.CLIENT_APP_ID, authenticator: credentials.authenticator },
    'sandbox session opened',
  );
  return ok(loginData(session));
}

function credentialsOf(data: LoginData): LoginCredentials {
  const authenticator = (data.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
  const token = data.TOKEN ?? null;
  const loginName = data.LOGIN_NAME || subjectOf(authenticator, token);
  if (!loginName) throw requestInvalid('data.LOGIN_NAME is required');

  return {
    accountName: data.ACCOUNT_NAME ?? '',
    loginName,
    authenticator,
    password: data.PASSWORD ?? null,
    token,
  };
}

/** An OAuth login may omit LOGIN_NAME; the token's subject then names the user. */
function subjectOf(authenticator: string, token: string | null): string | null {
  if (!TOKEN_AUTHENTICATORS.has(authenticator) || token === null) return null;
  try {
    return decodeJwt(token).sub ?? null;
  } catch {
    return null;
  }
}

function openOptions(credentials: LoginCredentials, data: LoginData, url: URL): OpenSessionOptions {
  const query = url.searchParams;
  const options: OpenSessionOptions = {
    user: credentials.loginName,
    parameters: sessionParameters(data.SESSION_PARAMETERS ?? {}),
  };
  const role = query.get('roleName');
  const warehouse = query.get('warehouse');
  const database = query.get('databaseName');
  const schema = query.get('schemaName');
  if (role) options.role = role;
  if (warehouse) options.warehouse = warehouse;
  if (database) options.database = database;
  if (schema) options.schema = schema;
  return options;
}

/** SESSION_PARAMETERS hold booleans and numbers too; the engine keeps parameters as text. */
function sessionParameters(raw: Record<string, unknown>): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== null && value !== undefined) parameters[name.toUpperCase()] = String(value);
  }
  return parameters;
}

function loginData(session: SandboxSession): Record<string, JsonValue> {
  const validity = session.validity(Date.now());
  return {
    masterToken: session.tokens.masterToken,
    token: session.tokens.sessionToken,
    validityInSeconds: validity.session,
    masterValidityInSeconds: validity.master,
    displayUserName: session.identity.user,
    serverVersion: SERVER_VERSION,
    firstLogin: false,
    remMeToken: null,
    remMeValidityInSeconds: 0,
    healthCheckInterval: 45,
    newClientForUpgrade: null,
    sessionId: session.id,
    parameters: parametersJson(session.engine.state),
    sessionInfo: session.sessionInfo(),
    idToken: null,
    idTokenValidityInSeconds: 0,
    responseData: null,
    mfaToken: null,
    mfaTokenValidityInSeconds: 0,
  };
}
