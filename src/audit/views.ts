import type { StatementView } from './fold.js';
import type { StatementDetail } from './sqlite-reader.js';
import { type Column, renderTable } from './table.js';
import type { AuditRecord } from './types.js';
import type { VerifyReport } from './verify.js';

/** Columns of `tollgate audit search` for statements, as a table. */
export const STATEMENT_TABLE: Column<StatementView>[] = [
  { header: 'ID', value: (s) => s.id },
  { header: 'RECEIVED (UTC)', value: (s) => shortTime(s.receivedAt) },
  { header: 'PRINCIPAL', value: (s) => s.principal ?? '-', shrinks: true, minWidth: 10 },
  { header: 'CONNECTION', value: (s) => s.connection ?? '-', shrinks: true },
  { header: 'TYPE', value: (s) => s.statementType },
  { header: 'OUTCOME', value: (s) => s.outcome ?? 'unfinished' },
  { header: 'ROWS', value: (s) => String(s.rows), alignRight: true },
  {
    header: 'MS',
    value: (s) => (s.durationMs === null ? '-' : String(s.durationMs)),
    alignRight: true,
  },
  { header: 'SQL', value: (s) => s.sqlText, shrinks: true, minWidth: 20 },
];

/** Columns of a statement search as CSV: every field, tags and binds as JSON. */
export const STATEMENT_CSV: Column<StatementView>[] = [
  ...(
    [
      ['id', 'id'],
      ['seq', 'seq'],
      ['received_at', 'receivedAt'],
      ['started_at', 'startedAt'],
      ['finished_at', 'finishedAt'],
      ['duration_ms', 'durationMs'],
      ['principal', 'principal'],
      ['connection', 'connection'],
      ['statement_type', 'statementType'],
      ['outcome', 'outcome'],
      ['error_code', 'errorCode'],
      ['error_message', 'errorMessage'],
      ['rows', 'rows'],
      ['bytes', 'bytes'],
      ['chunks', 'chunks'],
      ['request_id', 'requestId'],
      ['query_id', 'queryId'],
      ['parent_statement_id', 'parentStatementId'],
      ['gateway_session_id', 'gatewaySessionId'],
      ['upstream_session_id', 'upstreamSessionId'],
      ['client_app', 'clientApp'],
      ['client_version', 'clientVersion'],
      ['bind_recording', 'bindRecording'],
    ] as const
  ).map(([header, field]) => ({ header, value: (s: StatementView) => text(s[field]) })),
  { header: 'verified_tags', value: (s) => JSON.stringify(s.verifiedTags) },
  { header: 'claimed_tags', value: (s) => JSON.stringify(s.claimedTags) },
  { header: 'binds', value: (s) => JSON.stringify(s.binds ?? null) },
  { header: 'sql_text', value: (s) => s.sqlText },
];

/** Columns for records that are not folded (logins, session ends, raw results and chunks). */
export const RECORD_TABLE: Column<AuditRecord>[] = [
  { header: 'SEQ', value: (r) => String(r.seq), alignRight: true },
  { header: 'ID', value: (r) => r.id },
  { header: 'TIME (UTC)', value: (r) => shortTime(r.event.time) },
  { header: 'KIND', value: (r) => r.event.kind },
  { header: 'PRINCIPAL', value: (r) => r.event.principal ?? '-', shrinks: true, minWidth: 10 },
  { header: 'CONNECTION', value: (r) => r.event.connection ?? '-', shrinks: true },
  { header: 'OUTCOME', value: (r) => field(r, 'outcome') || '-' },
  { header: 'DETAIL', value: recordDetail, shrinks: true, minWidth: 20 },
];

/** Record fields as CSV columns; a field an event kind does not have is left empty. */
export const RECORD_CSV: Column<AuditRecord>[] = [
  { header: 'seq', value: (r) => String(r.seq) },
  { header: 'id', value: (r) => r.id },
  ...[
    'kind',
    'time',
    'principal',
    'connection',
    'outcome',
    'errorCode',
    'errorMessage',
    'issuer',
    'reason',
    'statementId',
    'gatewaySessionId',
    'upstreamSessionId',
    'clientApp',
    'clientVersion',
  ].map((name) => ({ header: snakeCase(name), value: (r: AuditRecord) => field(r, name) })),
  { header: 'verified_tags', value: (r) => JSON.stringify(r.event.verifiedTags) },
  { header: 'claimed_tags', value: (r) => JSON.stringify(r.event.claimedTags) },
  { header: 'prev_hash', value: (r) => r.prevHash },
  { header: 'hash', value: (r) => r.hash },
];

/** The events behind one statement, in `tollgate audit show`. */
const EVENT_TABLE: Column<AuditRecord>[] = [
  { header: 'SEQ', value: (r) => String(r.seq), alignRight: true },
  { header: 'RECORD', value: (r) => r.id },
  { header: 'TIME (UTC)', value: (r) => r.event.time },
  { header: 'KIND', value: (r) => r.event.kind },
  { header: 'HASH', value: (r) => r.hash },
];

/** `tollgate audit show` for a statement: its folded view, then every event behind it. */
export function describeStatement(detail: StatementDetail): string {
  const s = detail.view;
  const lines = [
    `Statement ${s.id}`,
    ...pairs([
      ['principal', s.principal ?? '-'],
      ['connection', s.connection ?? '-'],
      ['verified tags', tagList(s.verifiedTags)],
      ['claimed tags', tagList(s.claimedTags)],
      ['client', [s.clientApp, s.clientVersion].filter(Boolean).join(' ') || '-'],
      ['sessions', `gateway ${s.gatewaySessionId ?? '-'}, upstream ${s.upstreamSessionId ?? '-'}`],
      ['request id', s.requestId ?? '-'],
      ['query id', s.queryId ?? '-'],
      ['received', s.receivedAt],
      ['started', s.startedAt],
      ['finished', s.finishedAt ?? '-'],
      ['duration', s.durationMs === null ? '-' : `${s.durationMs} ms`],
      ['type', s.statementType + (s.statementTypeId === null ? '' : ` (${s.statementTypeId})`)],
      ['outcome', s.outcome ?? 'unfinished (no result recorded)'],
      ['error', s.errorCode ? `${s.errorCode}: ${s.errorMessage ?? ''}` : '-'],
      ['rows', `${s.rows} (${s.chunks} chunk${s.chunks === 1 ? '' : 's'})`],
      ['bytes', String(s.bytes)],
      [`binds (${s.bindRecording})`, JSON.stringify(s.binds ?? null)],
    ]),
    '  sql',
    ...s.sqlText.split('\n').map((line) => `    ${line}`),
    '',
    'Events',
  ];
  return `${lines.join('\n')}\n${renderTable(detail.records, EVENT_TABLE, Number.POSITIVE_INFINITY)}`;
}

/** `tollgate audit show` for any other record: where it sits in the chain, then the event. */
export function describeRecord(record: AuditRecord): string {
  const lines = [
    `Record ${record.id}`,
    ...pairs([
      ['seq', String(record.seq)],
      ['kind', record.event.kind],
      ['prev hash', record.prevHash],
      ['hash', record.hash],
    ]),
    JSON.stringify(record.event, null, 2),
  ];
  return `${lines.join('\n')}\n`;
}

/** `tollgate audit verify` in words. */
export function describeVerify(report: VerifyReport & { warnings?: string[] }): string {
  const range = report.first && report.head ? `seq ${report.first.seq} to ${report.head.seq}` : '';
  const lines: string[] = [];

  if (report.ok) {
    lines.push(`Audit log intact: ${report.records} records${range ? ` (${range})` : ''}.`);
  } else {
    const found = report.firstBreak!;
    lines.push(`Audit log BROKEN at seq ${found.seq}${found.id ? ` (record ${found.id})` : ''}:`);
    lines.push(`  ${found.problem}: ${found.detail}`);
    lines.push(
      `  ${report.breaks} break(s) in ${report.records} records${range ? ` (${range})` : ''}.`,
    );
  }
  if (report.head) lines.push(`Head: seq ${report.head.seq}, hash ${report.head.hash}`);
  for (const warning of report.warnings ?? []) lines.push(`Warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

function recordDetail(record: AuditRecord): string {
  const event = record.event;
  switch (event.kind) {
    case 'login':
      return [event.issuer, event.errorCode, event.errorMessage].filter(Boolean).join(' ');
    case 'session_end':
      return `reason ${event.reason}, session ${event.gatewaySessionId ?? '-'}`;
    case 'statement':
      return `${event.statementId} ${event.sqlText}`;
    case 'statement_result':
      return `${event.statementId} rows ${event.rows}, ${event.durationMs} ms`;
    case 'result_chunk':
      return `${event.statementId} chunk ${event.chunkIndex}, rows ${event.rows}`;
  }
}

function pairs(entries: Array<[string, string]>): string[] {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

function tagList(tags: Record<string, string>): string {
  const entries = Object.entries(tags);
  return entries.length === 0 ? '-' : entries.map(([key, value]) => `${key}=${value}`).join(' ');
}

/** `2026-05-01T10:20:30.123Z` as `2026-05-01 10:20:30`. */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '');
}

function field(record: AuditRecord, name: string): string {
  return text((record.event as unknown as Record<string, unknown>)[name]);
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
