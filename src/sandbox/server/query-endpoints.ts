import { featureUnsupported, queryNotExecuting, queryNotFound } from './errors.js';
import type { JsonValue } from './json.js';
import type { QueryRecord } from './queries.js';
import { failure, ok, type Reply, resultData } from './replies.js';
import { parseAbortBody, parseQueryBody } from './request-bodies.js';
import type { SandboxSession } from './sessions.js';
import { baseUrlFor, type RequestContext, type ServerState } from './state.js';

/** Snowflake's codes for "not finished yet", sent with success true and a URL to ask again. */
const STILL_RUNNING = '333333';
const RUNNING_DETACHED = '333334';

/**
 * POST /queries/v1/query-request. A retry carries the same requestId and gets the statement it
 * already started rather than a second execution. With asyncExec the reply comes at once
 * (333334); otherwise it waits for the result, up to resultWaitSeconds, then answers 333333.
 */
export async function handleQueryRequest(state: ServerState, ctx: RequestContext): Promise<Reply> {
  const session = state.sessions.bySessionToken(ctx.req.headers.authorization);
  const request = parseQueryBody(ctx.body);
  if (request.bindStage !== null) throw featureUnsupported('bindStage');
  session.queryContext.absorb(request.queryContextDTO);

  const requestId = ctx.url.searchParams.get('requestId');
  const retried = requestId === null ? undefined : state.queries.byRequestId(session.id, requestId);
  const record = retried ?? state.runner.start(session, request, requestId);

  if (request.asyncExec) return notFinished(record, RUNNING_DETACHED);
  return replyWhenFinished(state, ctx, session, record, false);
}

/** GET /queries/{id}/result: async results, multi-statement children, fresh chunk URLs. */
export async function handleQueryResult(state: ServerState, ctx: RequestContext): Promise<Reply> {
  const session = state.sessions.bySessionToken(ctx.req.headers.authorization);
  const record = findQuery(state, session, ctx);
  return replyWhenFinished(state, ctx, session, record, true);
}

/** GET /monitoring/queries/{id}: status for polling; an unknown id gives an empty list. */
export async function handleQueryMonitoring(
  state: ServerState,
  ctx: RequestContext,
): Promise<Reply> {
  const session = state.sessions.bySessionToken(ctx.req.headers.authorization);
  const record = state.queries.get(ctx.params[0] ?? '', session.identity.user);
  return ok({ queries: record === undefined ? [] : [monitoringEntry(record)] });
}

/** POST /queries/{id}/abort-request: cancel by query id. */
export async function handleAbortById(state: ServerState, ctx: RequestContext): Promise<Reply> {
  const session = state.sessions.bySessionToken(ctx.req.headers.authorization);
  const record = findQuery(state, session, ctx);
  if (!record.abort()) throw queryNotExecuting();
  session.logger.info({ queryId: record.id }, 'sandbox statement cancelled');
  return ok(null);
}

/**
 * POST /queries/v1/abort-request with `{requestId}`: cancel before the client knows the query
 * id. The cancel can overtake its own query request on another connection, so an unknown
 * request id is remembered and the statement is stopped as soon as it arrives.
 */
export async function handleAbortByRequestId(
  state: ServerState,
  ctx: RequestContext,
): Promise<Reply> {
  const session = state.sessions.bySessionToken(ctx.req.headers.authorization);
  const { requestId } = parseAbortBody(ctx.body);
  const record = state.queries.byRequestId(session.id, requestId);

  if (record === undefined) {
    state.queries.notePendingAbort(session.id, requestId);
  } else if (!record.abort()) {
    throw queryNotExecuting();
  }
  session.logger.info({ requestId, queryId: record?.id ?? null }, 'sandbox statement cancelled');
  return ok(null);
}

function findQuery(state: ServerState, session: SandboxSession, ctx: RequestContext): QueryRecord {
  const queryId = ctx.params[0] ?? '';
  const record = state.queries.get(queryId, session.identity.user);
  if (record === undefined) throw queryNotFound(queryId);
  return record;
}

async function replyWhenFinished(
  state: ServerState,
  ctx: RequestContext,
  session: SandboxSession,
  record: QueryRecord,
  refetch: boolean,
): Promise<Reply> {
  const finished = await record.waitFor(state.options.resultWaitSeconds * 1000);
  if (!finished) return notFinished(record, STILL_RUNNING);
  if (record.error !== null) return failure(record.error, record.id);

  const result = record.result;
  if (result === null) return failure(queryNotFound(record.id), record.id);
  const context = {
    session,
    baseUrl: baseUrlFor(state, ctx.req),
    chunkUrls: state.chunkUrls,
    refetch,
  };
  return ok(resultData(record, result, context));
}

function notFinished(record: QueryRecord, code: string): Reply {
  const message =
    code === RUNNING_DETACHED
      ? 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.'
      : 'Query execution in progress. Query will be aborted unless request for result is received within 300 seconds.';
  return ok(
    {
      queryId: record.id,
      getResultUrl: `/queries/${record.id}/result`,
      queryAbortsAfterSecs: 300,
      progressDesc: null,
    },
    code,
    message,
  );
}

/** The coarser `state` Snowflake reports beside `status`. */
const EXECUTION_STATE: Record<QueryRecord['status'], string> = {
  RUNNING: 'RUNNING',
  SUCCESS: 'SUCCEEDED',
  FAILED_WITH_ERROR: 'FAILED',
  ABORTED: 'ABORTED',
};

function monitoringEntry(record: QueryRecord): Record<string, JsonValue> {
  const end = record.endedAt ?? Date.now();
  return {
    id: record.id,
    status: record.status,
    state: EXECUTION_STATE[record.status],
    sqlText: record.sqlText,
    startTime: record.startedAt,
    endTime: record.endedAt ?? 0,
    totalDuration: end - record.startedAt,
    sessionId: record.sessionId,
    errorCode: record.error?.code ?? null,
    errorMessage: record.error?.message ?? null,
  };
}
