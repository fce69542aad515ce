import { newAuditId } from '../../audit/ids.js';
import type { Outcome } from '../../audit/types.js';
import { isTollgateError, TollgateError } from '../../errors.js';
import { refusedStatement } from '../../policy/guardrails.js';
import { type AuditedError, statementFinished, statementReceived } from './audit-events.js';
import { statementClaimedTags } from './claimed-tags.js';
import { errorReply, inflateBody, objectField, parseRequestJson, stringField } from './codec.js';
import { type FrontEndContext, forwardedHeaders, type SnowflakeRequest } from './context.js';
import { relayedUpstreamError } from './errors.js';
import { SNOWFLAKE_CODES, tokenFromAuthorization } from './protocol.js';
import { clientReplyText, inspectReply, type ResultSummary } from './results.js';
import type { GatewaySession, TrackedStatement } from './sessions.js';
import { classifyStatement, queryTagChange, shapeOf } from './statements.js';
import type { UpstreamReply } from './upstream.js';

/**
 * Statements: `POST /queries/v1/query-request` records the statement, durably, before it goes
 * upstream; `GET /queries/{id}/result` and the query reply itself record what it returned.
 */

/** Largest query body accepted (array binds make big bodies). */
export const MAX_QUERY_BODY_BYTES = 64 * 1024 * 1024;

/** The session a request's session token names (390104 unknown, 390112 expired). */
export function sessionOf(context: FrontEndContext, request: SnowflakeRequest): GatewaySession {
  return context.sessions.bySessionToken(tokenFromAuthorization(request.headers.authorization));
}

export async function handleQuery(
  context: FrontEndContext,
  request: SnowflakeRequest,
): Promise<string> {
  const session = sessionOf(context, request);
  const body = parseRequestJson(inflateBody(request.body, MAX_QUERY_BODY_BYTES));
  const sqlText = stringField(body, 'sqlText');
  if (sqlText === null)
    throw new TollgateError('TG_REQUEST_INVALID', 'query request has no sqlText');

  // A driver retry carries the same requestId: the same statement, recorded once.
  const requestId = request.query.get('requestId');
  const retried = requestId === null ? undefined : session.statementsByRequestId.get(requestId);
  const statement = retried ?? (await recordStatement(context, session, request, body, sqlText));
  if (retried !== undefined) session.log.debug({ requestId }, 'driver retried a statement');

  const reply = await forwardStatement(context, session, statement, request);
  return finishReply(context, session, statement, reply, request.baseUrl);
}

async function recordStatement(
  context: FrontEndContext,
  session: GatewaySession,
  request: SnowflakeRequest,
  body: Record<string, unknown>,
  sqlText: string,
): Promise<TrackedStatement> {
  const shape = shapeOf(sqlText);
  const statement: TrackedStatement = {
    statementId: newAuditId(),
    requestId: request.query.get('requestId'),
    queryId: null,
    startedAt: new Date(),
    claimedTags: statementClaimedTags(session.claimedTags, objectField(body, 'parameters')),
    resultRecorded: false,
    parts: shape.parts,
    partIndex: null,
  };
  const event = statementReceived(auditContext(session, statement), {
    statementId: statement.statementId,
    requestId: statement.requestId,
    sqlText,
    bindings: body.bindings,
    bindRecording: context.bindRecording,
    statementType: shape.type,
    receivedAt: request.receivedAt,
    startedAt: statement.startedAt,
  });
  await context.audit.beforeAction(event, session.log);
  context.sessions.trackStatement(session, statement);

  if (shape.transfersFiles || body.bindStage !== undefined) {
    refuseFileTransfer(context, session, statement);
  }
  const refusal = refusedStatement(shape.parts);
  if (refusal !== null) refuseStatement(context, session, statement, refusal.reason);
  return statement;
}

/** A statement the guardrails refuse (a role change) is recorded as failed and never forwarded. */
function refuseStatement(
  context: FrontEndContext,
  session: GatewaySession,
  statement: TrackedStatement,
  reason: string,
): never {
  const error = new TollgateError('TG_STATEMENT_REFUSED', reason);
  recordResult(context, session, statement, failureOf(error));
  throw error;
}

/** PUT, GET and staged binds would hand the client cloud-storage credentials: refused. */
function refuseFileTransfer(
  context: FrontEndContext,
  session: GatewaySession,
  statement: TrackedStatement,
): never {
  const error = new TollgateError(
    'TG_FILE_TRANSFER_REFUSED',
    'PUT, GET and staged binds are not available through Tollgate; they would expose cloud storage credentials',
  );
  recordResult(context, session, statement, failureOf(error));
  throw error;
}

function auditContext(session: GatewaySession, statement: TrackedStatement) {
  return { ...session.audit, claimedTags: statement.claimedTags };
}

/** Sends the statement upstream exactly as the client sent it, as the upstream session. */
async function forwardStatement(
  context: FrontEndContext,
  session: GatewaySession,
  statement: TrackedStatement,
  request: SnowflakeRequest,
): Promise<UpstreamReply> {
  try {
    return await session.client.send(session.upstream, {
      method: 'POST',
      path: request.pathAndQuery,
      body: request.body,
      headers: forwardedHeaders(request, true),
    });
  } catch (error) {
    recordResult(context, session, statement, failureOf(error));
    throw error;
  }
}

/** A forwarded request (query or result fetch) that failed in the gateway or upstream. */
function failureOf(error: unknown): ResultFacts {
  const code = isTollgateError(error) ? error.code : 'TG_INTERNAL';
  const message = isTollgateError(error) ? error.message : 'the gateway failed';
  return { ...noRows(), outcome: 'failure', error: { code, message } };
}

/** Facts for a statement_result event. */
interface ResultFacts {
  queryId: string | null;
  outcome: Outcome;
  error: AuditedError | null;
  rows: number;
  bytes: number;
  statementTypeId: number | null;
}

function noRows(): Omit<ResultFacts, 'outcome' | 'error'> {
  return { queryId: null, rows: 0, bytes: 0, statementTypeId: null };
}

/** Records a statement's result once; later replies for it (retries, refreshes) add nothing. */
export function recordResult(
  context: FrontEndContext,
  session: GatewaySession,
  statement: TrackedStatement,
  facts: ResultFacts,
): void {
  if (statement.resultRecorded) return;
  statement.resultRecorded = true;
  const event = statementFinished(auditContext(session, statement), {
    statementId: statement.statementId,
    ...facts,
    queryId: facts.queryId ?? statement.queryId,
    startedAt: statement.startedAt,
    finishedAt: new Date(),
  });
  context.audit.afterAction(event, session.log);
}

/**
 * Turns upstream's query or result reply into the client's: errors are relayed as Snowflake
 * errors with only their code, state, query id and message; results get gateway chunk URLs.
 * What the statement returned is recorded on the way.
 */
export async function finishReply(
  context: FrontEndContext,
  session: GatewaySession,
  statement: TrackedStatement,
  reply: UpstreamReply,
  baseUrl: string,
): Promise<string> {
  const summary = await inspectReply(reply, context.countArrow);
  if (summary.queryId !== null) trackQueryId(context, session, statement, summary.queryId);

  if (summary.error !== null) {
    const shape = relayedUpstreamError(summary.error);
    recordResult(context, session, statement, upstreamFailure(summary, shape));
    return errorReply(shape);
  }
  if (summary.inProgress) return reply.text;

  if (summary.resultIds.length > 0) openChildren(context, session, statement, summary);
  const urls = context.chunks.issue(session, statement, summary, baseUrl);
  recordResult(context, session, statement, successFacts(summary));
  if (statement.partIndex === null) applySessionEffects(session, statement);
  return clientReplyText(reply, urls);
}

function trackQueryId(
  context: FrontEndContext,
  session: GatewaySession,
  statement: TrackedStatement,
  queryId: string,
): void {
  statement.queryId ??= queryId;
  context.sessions.trackQuery(session, queryId, statement);
}

function upstreamFailure(
  summary: ResultSummary,
  shape: { code: string; message: string },
): ResultFacts {
  const cancelled = shape.code === SNOWFLAKE_CODES.queryCancelled;
  return {
    ...noRows(),
    queryId: summary.queryId,
    statementTypeId: summary.statementTypeId,
    outcome: cancelled ? 'cancelled' : 'failure',
    error: { code: shape.code, message: shape.message },
  };
}

function successFacts(summary: ResultSummary): ResultFacts {
  return {
    queryId: summary.queryId,
    outcome: 'success',
    error: null,
    rows: summary.rows,
    bytes: summary.bytes,
    statementTypeId: summary.statementTypeId,
  };
}

/**
 * A multi-statement request ran several statements upstream, each with its own query id. Each
 * is recorded as a statement of its own that names the request as its parent, so its result
 * (fetched later through `/queries/{id}/result`) is recorded against it.
 */
function openChildren(
  context: FrontEndContext,
  session: GatewaySession,
  parent: TrackedStatement,
  summary: ResultSummary,
): void {
  const partsMatch = parent.parts.length === summary.resultIds.length;
  summary.resultIds.forEach((queryId, index) => {
    const sqlText = partsMatch ? (parent.parts[index] ?? '') : parent.parts.join(';\n');
    const child: TrackedStatement = {
      ...parent,
      statementId: newAuditId(),
      queryId,
      startedAt: parent.startedAt,
      resultRecorded: false,
      partIndex: index,
    };
    const event = statementReceived(auditContext(session, child), {
      statementId: child.statementId,
      requestId: parent.requestId,
      sqlText,
      bindings: null,
      bindRecording: context.bindRecording,
      statementType: classifyStatement(sqlText),
      receivedAt: parent.startedAt,
      startedAt: parent.startedAt,
      parentStatementId: parent.statementId,
    });
    context.audit.afterAction(event, session.log);
    context.sessions.trackQuery(session, queryId, child);
  });
}

/** A successful ALTER SESSION that sets QUERY_TAG changes the session's claimed tags. */
function applySessionEffects(session: GatewaySession, statement: TrackedStatement): void {
  for (const part of statement.parts) {
    const change = queryTagChange(part);
    if (change === null) continue;
    const tags = { ...session.claimedTags };
    if (change.kind === 'set') tags.query_tag = change.value;
    else delete tags.query_tag;
    session.claimedTags = tags;
  }
}
