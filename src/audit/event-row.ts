import { canonicalJson } from './chain.js';
import type { AuditEvent, AuditEventKind } from './types.js';

export const EVENT_KINDS: readonly AuditEventKind[] = [
  'login',
  'statement',
  'statement_result',
  'result_chunk',
  'session_end',
];

/** Kinds whose tags are indexed; results and chunks share their statement's tags. */
const TAGGED_KINDS = new Set<AuditEventKind>(['login', 'statement', 'session_end']);

export type TagSource = 'verified' | 'claimed';

/** The copies of event fields that are stored beside it for filtering. */
export interface EventColumns {
  kind: AuditEventKind;
  /** The event time, normalised to ISO-8601 UTC with milliseconds, so it sorts as text. */
  time: string;
  statementId: string | null;
  principal: string | null;
  connection: string | null;
  outcome: string | null;
  statementType: string | null;
  sqlText: string | null;
  tags: Array<[TagSource, string, string]>;
}

/** An event checked and flattened into the columns it is stored and searched by. */
export interface EventRow extends EventColumns {
  event: AuditEvent;
  /** Canonical JSON of the event: what is stored and what the chain hash covers. */
  eventJson: string;
}

/**
 * What the writer thread stores: the columns, the event JSON, and the tags as one string (see
 * `tagSetKey`). Only primitive fields, because copying many small objects between threads costs
 * more than writing them to SQLite.
 */
export interface StoredRow {
  eventJson: string;
  kind: AuditEventKind;
  time: string;
  statementId: string | null;
  principal: string | null;
  connection: string | null;
  outcome: string | null;
  statementType: string | null;
  sqlText: string | null;
  /** `tagSetKey(tags)`, or '' when the event's tags are not indexed or there are none. */
  tagSet: string;
}

export function toStoredRow(row: EventRow): StoredRow {
  return {
    eventJson: row.eventJson,
    kind: row.kind,
    time: row.time,
    statementId: row.statementId,
    principal: row.principal,
    connection: row.connection,
    outcome: row.outcome,
    statementType: row.statementType,
    sqlText: row.sqlText,
    tagSet: row.tags.length === 0 ? '' : tagSetKey(row.tags),
  };
}

/**
 * One string per set of tags, the same whatever order they came in: the sorted tags as JSON, so
 * any character in a key or value is kept apart. Source and key identify a tag, so sorting on
 * them is enough.
 */
export function tagSetKey(tags: Array<[TagSource, string, string]>): string {
  const sorted = [...tags].sort(
    ([sourceA, keyA], [sourceB, keyB]) => compare(sourceA, sourceB) || compare(keyA, keyB),
  );
  return JSON.stringify(sorted);
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Checks an event from a front end and flattens it. A malformed event is a programming error in
 * the caller, so it raises a `TypeError` (and the statement is refused, never recorded half).
 */
export function toEventRow(event: AuditEvent): EventRow {
  checkShape(event);
  return { event, eventJson: canonicalJson(event), ...eventColumns(event) };
}

/** The filter columns of an event (also used by verify to spot columns edited apart from it). */
export function eventColumns(event: AuditEvent): EventColumns {
  return {
    kind: event.kind,
    time: toIsoTime(event.time, 'event.time'),
    statementId: 'statementId' in event ? event.statementId : null,
    principal: event.principal ?? null,
    connection: event.connection ?? null,
    outcome: 'outcome' in event ? event.outcome : null,
    statementType: event.kind === 'statement' ? event.statementType : null,
    sqlText: event.kind === 'statement' ? event.sqlText : null,
    tags: TAGGED_KINDS.has(event.kind) ? tagRows(event) : [],
  };
}

/** Parses a time given as an ISO string, a Date or epoch milliseconds, to ISO-8601 UTC. */
export function toIsoTime(value: string | number | Date, name: string): string {
  const time = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(time.getTime())) throw new TypeError(`${name} is not a valid time: ${value}`);
  return time.toISOString();
}

function checkShape(event: AuditEvent): void {
  if (typeof event !== 'object' || event === null) throw new TypeError('event must be an object');
  if (!EVENT_KINDS.includes(event.kind)) throw new TypeError(`unknown event kind: ${event.kind}`);

  if (needsStatementId(event.kind)) {
    const id = (event as { statementId?: unknown }).statementId;
    if (typeof id !== 'string' || id === '') {
      throw new TypeError(`a ${event.kind} event needs a statementId`);
    }
  }
  if (event.kind === 'statement' && typeof event.sqlText !== 'string') {
    throw new TypeError('a statement event needs its sqlText');
  }
  checkTags(event.verifiedTags, 'verifiedTags');
  checkTags(event.claimedTags, 'claimedTags');
}

function needsStatementId(kind: AuditEventKind): boolean {
  return kind === 'statement' || kind === 'statement_result' || kind === 'result_chunk';
}

function checkTags(tags: unknown, name: string): void {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new TypeError(`${name} must be an object of strings`);
  }
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== 'string') throw new TypeError(`${name}.${key} must be a string`);
  }
}

function tagRows(event: AuditEvent): Array<[TagSource, string, string]> {
  const verified = Object.entries(event.verifiedTags).map(
    ([key, value]): [TagSource, string, string] => ['verified', key, value],
  );
  const claimed = Object.entries(event.claimedTags).map(
    ([key, value]): [TagSource, string, string] => ['claimed', key, value],
  );
  return [...verified, ...claimed];
}
