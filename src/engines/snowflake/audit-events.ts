import { createHash } from 'node:crypto';
import type {
  AuditEventBase,
  BindRecording,
  LoginEvent,
  Outcome,
  ResultChunkEvent,
  SessionEndEvent,
  StatementEvent,
  StatementResultEvent,
} from '../../audit/types.js';

/**
 * The audit events of the Snowflake front end, one small builder per event. Every builder takes
 * the session's context (who, which connection, which sessions, which tags) and the facts of the
 * moment; none of them does I/O.
 */

/** What every event of one session shares. */
export type SessionAuditContext = Omit<AuditEventBase, 'kind' | 'time'>;

/** The context of a login that failed before any session existed. */
export function anonymousContext(
  connection: string | null,
  claimedTags: Record<string, string>,
  client: { app: string | null; version: string | null },
): SessionAuditContext {
  return {
    principal: null,
    connection,
    gatewaySessionId: null,
    upstreamSessionId: null,
    verifiedTags: {},
    claimedTags,
    clientApp: client.app,
    clientVersion: client.version,
  };
}

function base<K extends AuditEventBase['kind']>(kind: K, context: SessionAuditContext, time: Date) {
  return { kind, time: time.toISOString(), ...context };
}

/** A failure as the audit log keeps it: a code and a message that holds no secret. */
export interface AuditedError {
  code: string;
  message: string;
}

export function loginSucceeded(
  context: SessionAuditContext,
  issuer: string,
  time = new Date(),
): LoginEvent {
  return {
    ...base('login', context, time),
    outcome: 'success',
    errorCode: null,
    errorMessage: null,
    issuer,
  };
}

export function loginFailed(
  context: SessionAuditContext,
  issuer: string | null,
  error: AuditedError,
  time = new Date(),
): LoginEvent {
  return {
    ...base('login', context, time),
    outcome: 'failure',
    errorCode: error.code,
    errorMessage: error.message,
    issuer,
  };
}

/** A statement as received, recorded before it is forwarded. */
export interface ReceivedStatement {
  statementId: string;
  requestId: string | null;
  sqlText: string;
  /** The `bindings` member of the query request, as sent. */
  bindings: unknown;
  bindRecording: BindRecording;
  statementType: string;
  receivedAt: Date;
  startedAt: Date;
  /** For a child of a multi-statement request: the statement id of the request. */
  parentStatementId?: string;
}

export function statementReceived(
  context: SessionAuditContext,
  statement: ReceivedStatement,
): StatementEvent {
  const event: StatementEvent = {
    ...base('statement', context, statement.startedAt),
    statementId: statement.statementId,
    requestId: statement.requestId,
    sqlText: statement.sqlText,
    binds: recordBinds(statement.bindings, statement.bindRecording),
    bindRecording: statement.bindRecording,
    statementType: statement.statementType,
    receivedAt: statement.receivedAt.toISOString(),
    startedAt: statement.startedAt.toISOString(),
  };
  if (statement.parentStatementId !== undefined) {
    event.parentStatementId = statement.parentStatementId;
  }
  return event;
}

/** What became of a statement, recorded after the client has its reply. */
export interface FinishedStatement {
  statementId: string;
  queryId: string | null;
  outcome: Outcome;
  error: AuditedError | null;
  startedAt: Date;
  finishedAt: Date;
  rows: number;
  bytes: number;
  statementTypeId: number | null;
}

export function statementFinished(
  context: SessionAuditContext,
  result: FinishedStatement,
): StatementResultEvent {
  return {
    ...base('statement_result', context, result.finishedAt),
    statementId: result.statementId,
    queryId: result.queryId,
    outcome: result.outcome,
    errorCode: result.error?.code ?? null,
    errorMessage: result.error?.message ?? null,
    finishedAt: result.finishedAt.toISOString(),
    durationMs: result.finishedAt.getTime() - result.startedAt.getTime(),
    rows: result.rows,
    bytes: result.bytes,
    statementTypeId: result.statementTypeId,
  };
}

/** One result chunk the client fetched through the gateway. */
export interface ReturnedChunk {
  statementId: string;
  queryId: string | null;
  chunkIndex: number;
  rows: number;
  bytes: number;
}

export function chunkReturned(
  context: SessionAuditContext,
  chunk: ReturnedChunk,
  time = new Date(),
): ResultChunkEvent {
  return { ...base('result_chunk', context, time), ...chunk };
}

export function sessionEnded(
  context: SessionAuditContext,
  reason: SessionEndEvent['reason'],
  time = new Date(),
): SessionEndEvent {
  return { ...base('session_end', context, time), reason };
}

/**
 * Bind values as the audit policy keeps them. `recorded`: as sent. `hashed`: each value replaced
 * by the hex SHA-256 of its text (array binds element by element), types kept. `omitted`: null.
 */
export function recordBinds(bindings: unknown, mode: BindRecording): unknown {
  if (bindings === undefined || bindings === null) return null;
  if (mode === 'recorded') return bindings;
  if (mode === 'omitted' || typeof bindings !== 'object') return null;

  const hashed: Record<string, unknown> = {};
  for (const [position, bind] of Object.entries(bindings as Record<string, unknown>)) {
    hashed[position] = hashBind(bind);
  }
  return hashed;
}

function hashBind(bind: unknown): unknown {
  if (bind === null || typeof bind !== 'object') return { value: digest(bind) };
  const { type, value } = bind as { type?: unknown; value?: unknown };
  const hashedValue = Array.isArray(value) ? value.map(digest) : digest(value);
  return { type: type ?? null, value: hashedValue };
}

/** The SHA-256 of a bind value's text; null stays null so NULL binds remain visible. */
function digest(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
