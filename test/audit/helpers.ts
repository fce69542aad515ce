import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type {
  AuditEventBase,
  LoginEvent,
  ResultChunkEvent,
  SessionEndEvent,
  StatementEvent,
  StatementResultEvent,
} from '../../src/audit/types.js';
import { auditDbPath } from '../../src/paths.js';

/** A fresh data folder under the OS temp dir; `cleanup` removes it. */
export function tempStore(): { dir: string; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-audit-'));
  return {
    dir,
    path: auditDbPath(dir),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A writable that keeps every pino line, parsed. */
export function logCapture(): {
  stream: Writable;
  lines: Array<Record<string, unknown>>;
  text(): string;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    get lines() {
      return chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => chunks.join(''),
  };
}

/** The fields shared by the events of one session; override any of them. */
export function sessionBase(overrides: Partial<AuditEventBase> = {}): Omit<AuditEventBase, 'kind'> {
  return {
    time: '2026-05-01T10:00:00.000Z',
    principal: 'repo:acme/warehouse:ref:refs/heads/main',
    connection: 'sandbox',
    gatewaySessionId: 'gw-session-1',
    upstreamSessionId: 'up-session-1',
    verifiedTags: { repository: 'acme/warehouse', run_id: '1001' },
    claimedTags: { QUERY_TAG: 'nightly-report' },
    clientApp: 'JavaScript',
    clientVersion: '3.4.0',
    ...overrides,
  };
}

export function loginEvent(overrides: Partial<LoginEvent> = {}): LoginEvent {
  return {
    ...sessionBase(),
    kind: 'login',
    outcome: 'success',
    errorCode: null,
    errorMessage: null,
    issuer: 'https://token.actions.githubusercontent.com',
    ...overrides,
  };
}

export function statementEvent(overrides: Partial<StatementEvent> = {}): StatementEvent {
  return {
    ...sessionBase(),
    kind: 'statement',
    statementId: 'st-1',
    requestId: 'req-1',
    sqlText: 'SELECT id, total FROM order_items WHERE id = ?',
    binds: { '1': { type: 'FIXED', value: '42' } },
    bindRecording: 'recorded',
    statementType: 'SELECT',
    receivedAt: '2026-05-01T10:00:00.000Z',
    startedAt: '2026-05-01T10:00:00.001Z',
    ...overrides,
  };
}

export function resultEvent(overrides: Partial<StatementResultEvent> = {}): StatementResultEvent {
  return {
    ...sessionBase(),
    kind: 'statement_result',
    statementId: 'st-1',
    queryId: 'q-1',
    outcome: 'success',
    errorCode: null,
    errorMessage: null,
    finishedAt: '2026-05-01T10:00:00.250Z',
    durationMs: 249,
    rows: 10,
    bytes: 640,
    statementTypeId: 4096,
    ...overrides,
  };
}

export function chunkEvent(overrides: Partial<ResultChunkEvent> = {}): ResultChunkEvent {
  return {
    ...sessionBase(),
    kind: 'result_chunk',
    statementId: 'st-1',
    queryId: 'q-1',
    chunkIndex: 0,
    rows: 1000,
    bytes: 64_000,
    ...overrides,
  };
}

export function sessionEndEvent(overrides: Partial<SessionEndEvent> = {}): SessionEndEvent {
  return { ...sessionBase(), kind: 'session_end', reason: 'logout', ...overrides };
}
