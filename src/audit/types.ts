/**
 * The audit event model. The log is append-only: a statement is recorded as `statement` before it
 * is forwarded, and what became of it arrives later as further events that name it
 * (`statement_result`, then one `result_chunk` per chunk the client fetched). Nothing is updated
 * in place; search folds the events of one statement into one view.
 */

export type AuditEventKind =
  | 'login'
  | 'statement'
  | 'statement_result'
  | 'result_chunk'
  | 'session_end';

export type Outcome = 'success' | 'failure' | 'cancelled';

/** How bind values are kept: as sent, as a SHA-256 of each value, or not at all. */
export type BindRecording = 'recorded' | 'hashed' | 'omitted';

/** Fields every event carries. Tags are flat string maps so they can be filtered on. */
export interface AuditEventBase {
  kind: AuditEventKind;
  /** ISO-8601 time the gateway saw the event happen. */
  time: string;
  principal: string | null;
  connection: string | null;
  gatewaySessionId: string | null;
  upstreamSessionId: string | null;
  /** Tags from verified token claims (repository, ref, run_id, ...). */
  verifiedTags: Record<string, string>;
  /** Tags the client asserted about itself (QUERY_TAG, CLIENT_APP_ID, model name); unverified. */
  claimedTags: Record<string, string>;
  clientApp: string | null;
  clientVersion: string | null;
}

export interface LoginEvent extends AuditEventBase {
  kind: 'login';
  outcome: Outcome;
  /** Why a login failed: a TG_* code and a message that never contains the token. */
  errorCode: string | null;
  errorMessage: string | null;
  issuer: string | null;
}

export interface StatementEvent extends AuditEventBase {
  kind: 'statement';
  /** The gateway's id for this statement; later events refer to it. */
  statementId: string;
  requestId: string | null;
  sqlText: string;
  binds: unknown;
  bindRecording: BindRecording;
  /** Classification by the gateway before it runs: SELECT, INSERT, DDL, MULTI, ... */
  statementType: string;
  receivedAt: string;
  startedAt: string;
  /** For one statement of a multi-statement request: the statement id of the request. */
  parentStatementId?: string;
}

export interface StatementResultEvent extends AuditEventBase {
  kind: 'statement_result';
  statementId: string;
  queryId: string | null;
  outcome: Outcome;
  errorCode: string | null;
  errorMessage: string | null;
  finishedAt: string;
  durationMs: number;
  /** Rows and bytes returned inline with the reply; chunks add theirs as result_chunk events. */
  rows: number;
  bytes: number;
  /** Upstream's statementTypeId, when the reply carried one. */
  statementTypeId: number | null;
}

export interface ResultChunkEvent extends AuditEventBase {
  kind: 'result_chunk';
  statementId: string;
  queryId: string | null;
  chunkIndex: number;
  rows: number;
  bytes: number;
}

export interface SessionEndEvent extends AuditEventBase {
  kind: 'session_end';
  reason: 'logout' | 'expired' | 'error';
}

export type AuditEvent =
  | LoginEvent
  | StatementEvent
  | StatementResultEvent
  | ResultChunkEvent
  | SessionEndEvent;

/** An event as stored: its place in the chain and the hashes that bind it there. */
export interface AuditRecord {
  /**
   * Position in the log, from 1. A store running fail-open returns seq 0 (and empty hashes) for
   * an event it could not write; `isRecorded` tells the two apart.
   */
  seq: number;
  /** Stable id of the record (ULID-like, sortable). */
  id: string;
  event: AuditEvent;
  prevHash: string;
  hash: string;
}

/** The writer the front ends use. `append` resolves only once the record is durable. */
export interface AuditSink {
  append(event: AuditEvent): Promise<AuditRecord>;
}
