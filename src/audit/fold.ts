import type {
  AuditRecord,
  BindRecording,
  Outcome,
  StatementEvent,
  StatementResultEvent,
} from './types.js';

/**
 * One statement as people ask about it: its `statement` event folded together with the
 * `statement_result` and `result_chunk` events that name it. Nothing here is stored as such; it
 * is rebuilt from the append-only records on every read.
 */
export interface StatementView {
  /** The gateway's statement id (what `tollgate audit show` takes). */
  id: string;
  /** Seq and record id of the `statement` event. */
  seq: number;
  recordId: string;
  receivedAt: string;
  startedAt: string;
  /** Null until a `statement_result` arrives (still running, or the gateway stopped first). */
  finishedAt: string | null;
  durationMs: number | null;
  principal: string | null;
  verifiedTags: Record<string, string>;
  claimedTags: Record<string, string>;
  connection: string | null;
  clientApp: string | null;
  clientVersion: string | null;
  gatewaySessionId: string | null;
  upstreamSessionId: string | null;
  requestId: string | null;
  /** For one statement of a multi-statement request: the request's statement id. */
  parentStatementId: string | null;
  queryId: string | null;
  sqlText: string;
  binds: unknown;
  bindRecording: BindRecording;
  statementType: string;
  statementTypeId: number | null;
  /** Null while no result has been recorded. */
  outcome: Outcome | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Rows and bytes returned: inline with the reply plus every chunk fetched. */
  rows: number;
  bytes: number;
  chunks: number;
}

/**
 * Folds a statement's records: `head` is its `statement` record, `followers` the records naming
 * it, in seq order. When a statement has several results (a retried fetch), the last one wins;
 * chunks always add up.
 */
export function foldStatement(head: AuditRecord, followers: AuditRecord[]): StatementView {
  const view = startView(head, head.event as StatementEvent);
  let inline = { rows: 0, bytes: 0 };
  const chunked = { rows: 0, bytes: 0 };

  for (const { event } of followers) {
    if (event.kind === 'statement_result') {
      applyResult(view, event);
      inline = { rows: event.rows, bytes: event.bytes };
    } else if (event.kind === 'result_chunk') {
      view.queryId ??= event.queryId;
      view.chunks += 1;
      chunked.rows += event.rows;
      chunked.bytes += event.bytes;
    }
  }

  view.rows = inline.rows + chunked.rows;
  view.bytes = inline.bytes + chunked.bytes;
  return view;
}

function startView(head: AuditRecord, event: StatementEvent): StatementView {
  return {
    id: event.statementId,
    seq: head.seq,
    recordId: head.id,
    receivedAt: event.receivedAt,
    startedAt: event.startedAt,
    finishedAt: null,
    durationMs: null,
    principal: event.principal,
    verifiedTags: event.verifiedTags,
    claimedTags: event.claimedTags,
    connection: event.connection,
    clientApp: event.clientApp,
    clientVersion: event.clientVersion,
    gatewaySessionId: event.gatewaySessionId,
    upstreamSessionId: event.upstreamSessionId,
    requestId: event.requestId,
    parentStatementId: event.parentStatementId ?? null,
    queryId: null,
    sqlText: event.sqlText,
    binds: event.binds,
    bindRecording: event.bindRecording,
    statementType: event.statementType,
    statementTypeId: null,
    outcome: null,
    errorCode: null,
    errorMessage: null,
    rows: 0,
    bytes: 0,
    chunks: 0,
  };
}

function applyResult(view: StatementView, event: StatementResultEvent): void {
  view.finishedAt = event.finishedAt;
  view.durationMs = event.durationMs;
  view.queryId = event.queryId ?? view.queryId;
  view.upstreamSessionId = event.upstreamSessionId ?? view.upstreamSessionId;
  view.statementTypeId = event.statementTypeId;
  view.outcome = event.outcome;
  view.errorCode = event.errorCode;
  view.errorMessage = event.errorMessage;
}
