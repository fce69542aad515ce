import { TollgateError } from '../../errors.js';
import { errorReply, inflateBody, parseRequestJson, stringField, successReply } from './codec.js';
import { type FrontEndContext, forwardedHeaders, type SnowflakeRequest } from './context.js';
import { relayedUpstreamError } from './errors.js';
import { SNOWFLAKE_CODES, TERMINAL_FAILURE_STATUSES } from './protocol.js';
import { finishReply, recordResult, sessionOf } from './queries.js';
import type { GatewaySession, TrackedStatement } from './sessions.js';
import type { UpstreamReply } from './upstream.js';

/**
 * Requests about a statement already sent: its result (`GET /queries/{id}/result`), its status
 * (`GET /monitoring/queries/{id}`) and its cancellation (both abort forms). Each is allowed only
 * for queries the principal ran through this gateway.
 */

/** Largest abort body accepted: it holds one request id. */
const MAX_ABORT_BODY_BYTES = 64 * 1024;

export async function handleResult(
  context: FrontEndContext,
  request: SnowflakeRequest,
  queryId: string,
): Promise<string> {
  const session = sessionOf(context, request);
  const statement = visibleStatement(context, session, queryId);
  const reply = await forward(session, request, 'GET');
  return finishReply(context, session, statement, reply, request.baseUrl);
}

export async function handleMonitoring(
  context: FrontEndContext,
  request: SnowflakeRequest,
  queryId: string,
): Promise<string> {
  const session = sessionOf(context, request);
  const statement = visibleStatement(context, session, queryId);
  const reply = await forward(session, request, 'GET');
  if (!reply.envelope.success) return relayOnly(reply);

  recordTerminalFailure(context, session, statement, reply, queryId);
  return reply.text;
}

/** `POST /queries/{id}/abort-request`. */
export async function handleAbortById(
  context: FrontEndContext,
  request: SnowflakeRequest,
  queryId: string,
): Promise<string> {
  const session = sessionOf(context, request);
  visibleStatement(context, session, queryId);
  session.log.info({ queryId }, 'client asked to cancel a query');
  return relayOnly(await forward(session, request, 'POST'));
}

/** `POST /queries/v1/abort-request` with `{requestId}`: cancels a statement not yet named. */
export async function handleAbortByRequestId(
  context: FrontEndContext,
  request: SnowflakeRequest,
): Promise<string> {
  const session = sessionOf(context, request);
  const body = parseRequestJson(inflateBody(request.body, MAX_ABORT_BODY_BYTES));
  const requestId = stringField(body, 'requestId');
  if (requestId === null || !session.statementsByRequestId.has(requestId)) {
    throw new TollgateError(
      'TG_REQUEST_INVALID',
      'no statement of this session has that requestId',
    );
  }
  session.log.info({ requestId }, 'client asked to cancel a statement');
  return relayOnly(await forward(session, request, 'POST'));
}

/** The statement behind a query id; a query the principal never ran here is refused. */
function visibleStatement(
  context: FrontEndContext,
  session: GatewaySession,
  queryId: string,
): TrackedStatement {
  const statement = context.sessions.statementForQuery(session, queryId);
  if (statement !== null) return statement;
  session.log.info({ queryId }, 'client asked about a query it did not run');
  throw new TollgateError(
    'TG_REQUEST_INVALID',
    `query ${queryId} was not run by this principal through Tollgate`,
  );
}

function forward(
  session: GatewaySession,
  request: SnowflakeRequest,
  method: 'GET' | 'POST',
): Promise<UpstreamReply> {
  const withBody = method === 'POST';
  return session.client.send(session.upstream, {
    method,
    path: request.pathAndQuery,
    headers: forwardedHeaders(request, withBody),
    ...(withBody ? { body: request.body } : {}),
  });
}

/**
 * A reply passed on without result handling: success as an empty success, failure as a relayed
 * Snowflake error. Neither carries anything else of upstream's body.
 */
function relayOnly(reply: UpstreamReply): string {
  const { envelope } = reply;
  if (envelope.success) return successReply('null', envelope.code);
  const data = envelope.data ?? {};
  return errorReply(
    relayedUpstreamError({
      code: envelope.code,
      message: envelope.message,
      sqlState: typeof data.sqlState === 'string' ? data.sqlState : null,
      queryId: typeof data.queryId === 'string' ? data.queryId : null,
    }),
  );
}

/** A detached query seen failed or aborted in monitoring gets its result recorded then. */
function recordTerminalFailure(
  context: FrontEndContext,
  session: GatewaySession,
  statement: TrackedStatement,
  reply: UpstreamReply,
  queryId: string,
): void {
  const entry = monitoringEntry(reply, queryId);
  const status = typeof entry?.status === 'string' ? entry.status : null;
  if (status === null || !TERMINAL_FAILURE_STATUSES.has(status)) return;

  const code = typeof entry?.errorCode === 'string' ? entry.errorCode : status;
  const message = typeof entry?.errorMessage === 'string' ? entry.errorMessage : status;
  recordResult(context, session, statement, {
    queryId,
    outcome: status === 'ABORTED' ? 'cancelled' : 'failure',
    error: { code: status === 'ABORTED' ? SNOWFLAKE_CODES.queryCancelled : code, message },
    rows: 0,
    bytes: 0,
    statementTypeId: null,
  });
}

function monitoringEntry(reply: UpstreamReply, queryId: string): Record<string, unknown> | null {
  const queries = reply.envelope.data?.queries;
  if (!Array.isArray(queries)) return null;
  const entry = queries.find((query: { id?: unknown }) => query?.id === queryId) ?? queries[0];
  return entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : null;
}
