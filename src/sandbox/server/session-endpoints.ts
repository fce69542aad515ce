import { requestInvalid } from './errors.js';
import { ok, type Reply } from './replies.js';
import { parseRenewBody } from './request-bodies.js';
import type { SandboxSession } from './sessions.js';
import type { RequestContext, ServerState } from './state.js';

/**
 * POST /session/token-request with the master token: a RENEW replaces both tokens, and the old
 * session token stops working. The Node driver reads `sessionToken` and `validityInSecondsST`.
 */
export async function handleTokenRequest(state: ServerState, ctx: RequestContext): Promise<Reply> {
  const session = state.sessions.byMasterToken(ctx.req.headers.authorization);
  const body = parseRenewBody(ctx.body);
  if (body.requestType.toUpperCase() !== 'RENEW') {
    throw requestInvalid('requestType: only RENEW is supported');
  }

  const tokens = state.sessions.renew(session, body.oldSessionToken);
  const validity = session.validity(Date.now());
  session.logger.debug('sandbox session tokens renewed');
  return ok({
    sessionToken: tokens.sessionToken,
    validityInSecondsST: validity.session,
    masterToken: tokens.masterToken,
    validityInSecondsMT: validity.master,
    sessionId: session.id,
  });
}

/** POST /session/heartbeat: proves the session token still works. */
export async function handleHeartbeat(state: ServerState, ctx: RequestContext): Promise<Reply> {
  state.sessions.bySessionToken(ctx.req.headers.authorization);
  return ok(null);
}

/** POST /session?delete=true: logout. Running statements stop and results are dropped. */
export async function handleSessionDelete(state: ServerState, ctx: RequestContext): Promise<Reply> {
  if (ctx.url.searchParams.get('delete') !== 'true') {
    throw requestInvalid('POST /session needs delete=true');
  }
  const session = state.sessions.bySessionToken(ctx.req.headers.authorization);
  await closeSession(state, session);
  session.logger.info('sandbox session closed by the client');
  return ok(null);
}

/** POST /telemetry/send: the drivers' telemetry, accepted and dropped. */
export async function handleTelemetry(state: ServerState, ctx: RequestContext): Promise<Reply> {
  state.sessions.bySessionToken(ctx.req.headers.authorization);
  return ok('Log Received');
}

/** How long closing a session waits for its cancelled statements to let go of the engine. */
const CANCEL_GRACE_MS = 5000;

/** Ends a session for good: tokens, statements, results and its engine session. */
export async function closeSession(state: ServerState, session: SandboxSession): Promise<void> {
  state.sessions.remove(session);
  const stopping = state.queries.forgetSession(session.id);
  await Promise.all(stopping.map((record) => record.waitFor(CANCEL_GRACE_MS)));
  await session.engine.close();
}
