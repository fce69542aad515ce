import { TollgateError } from '../../errors.js';
import { sessionEnded } from './audit-events.js';
import { errorReply, inflateBody, parseRequestJson, stringField, successReply } from './codec.js';
import { type FrontEndContext, forwardedHeaders, type SnowflakeRequest } from './context.js';
import { relayedUpstreamError } from './errors.js';
import { tokenFromAuthorization } from './protocol.js';
import { sessionOf } from './queries.js';
import type { GatewaySession } from './sessions.js';
import type { UpstreamReply } from './upstream.js';

/**
 * Session upkeep: token renewal, heartbeat, telemetry and logout. Each is mapped to the upstream
 * session; the client sees only the gateway's tokens.
 */

const MAX_SMALL_BODY_BYTES = 1024 * 1024;

/**
 * `POST /session/token-request` with the master token: renews upstream, then replaces both of
 * the client's tokens. The client must name its current session token as `oldSessionToken`.
 */
export async function handleTokenRenewal(
  context: FrontEndContext,
  request: SnowflakeRequest,
): Promise<string> {
  const master = tokenFromAuthorization(request.headers.authorization);
  const session = context.sessions.byMasterToken(master);
  const body = parseRequestJson(inflateBody(request.body, MAX_SMALL_BODY_BYTES));
  if (stringField(body, 'requestType') !== 'RENEW') {
    throw new TollgateError('TG_REQUEST_INVALID', 'token request type must be RENEW');
  }
  if (stringField(body, 'oldSessionToken') !== session.token) {
    throw new TollgateError('TG_SESSION_UNKNOWN', "oldSessionToken is not this session's token");
  }

  await session.client.renew(session.upstream);
  context.sessions.renewTokens(session);
  session.log.debug('session token renewed');
  return renewalReply(session);
}

/** Both tokens and their validities, under the names every driver reads. */
function renewalReply(session: GatewaySession): string {
  const { validityInSeconds, masterValidityInSeconds } = session.upstream;
  const members = [
    `"sessionToken":${JSON.stringify(session.token)}`,
    `"validityInSeconds":${validityInSeconds}`,
    `"validityInSecondsST":${validityInSeconds}`,
    `"masterToken":${JSON.stringify(session.masterToken)}`,
    `"masterValidityInSeconds":${masterValidityInSeconds}`,
    `"validityInSecondsMT":${masterValidityInSeconds}`,
    // The gateway's session id, written as digits: it is wider than a JavaScript number.
    `"sessionId":${session.id}`,
  ];
  return successReply(`{${members.join(',')}}`);
}

/** `POST /session/heartbeat` and `POST /telemetry/send`: forwarded as the upstream session. */
export async function handleForwarded(
  context: FrontEndContext,
  request: SnowflakeRequest,
): Promise<string> {
  const session = sessionOf(context, request);
  const reply = await session.client.send(session.upstream, {
    method: 'POST',
    path: request.pathAndQuery,
    body: request.body,
    headers: forwardedHeaders(request, true),
  });
  return emptyReply(reply);
}

function emptyReply(reply: UpstreamReply): string {
  const { envelope } = reply;
  if (envelope.success) return successReply('null', envelope.code);
  return errorReply(
    relayedUpstreamError({
      code: envelope.code,
      message: envelope.message,
      sqlState: null,
      queryId: null,
    }),
  );
}

/** `POST /session?delete=true`: ends the upstream session and the client's. */
export async function handleLogout(
  context: FrontEndContext,
  request: SnowflakeRequest,
): Promise<string> {
  if (request.query.get('delete') !== 'true') {
    throw new TollgateError('TG_REQUEST_INVALID', 'POST /session needs delete=true');
  }
  const session = sessionOf(context, request);
  await endSession(context, session, 'logout');
  return successReply('null');
}

/** Ends a session: upstream logout, tokens forgotten, session_end recorded. */
export async function endSession(
  context: FrontEndContext,
  session: GatewaySession,
  reason: 'logout' | 'expired' | 'error',
): Promise<void> {
  if (session.ended) return;
  context.sessions.close(session);
  await session.client.logout(session.upstream);
  context.audit.afterAction(sessionEnded(session.audit, reason), session.log);
  session.log.info({ reason }, 'session ended');
}
