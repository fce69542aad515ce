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

/**
 * What the writer thread stores for an event: its canonical JSON and copies of the fields that
 * are filtered on. Only strings and nulls, because copying objects between threads costs more
 * than writing them to SQLite.
 */
export interface StoredRow {
  /** Canonical JSON of the event: what is stored and what the chain hash covers. */
  eventJson: string;
  kind: AuditEventKind;
  /** The event time, normalised to ISO-8601 UTC with milliseconds, so it sorts as text. */
  time: string;
  statementId: string | null;
  principal: string | null;
  connection: string | null;
  outcome: string | null;
  statementType: string | null;
  sqlText: string | null;
  /** The event's tags as `tagSetKey` writes them; '' when none are indexed. */
  tagSet: string;
}

/** The copies of event fields stored beside it (verify recomputes them to compare). */
export type EventColumns = Omit<StoredRow, 'eventJson'>;

/** An event ready to append: the event itself and the row the writer thread stores. */
export interface EventRow {
  event: AuditEvent;
  stored: StoredRow;
}

/**
 * Checks an event from a front end and flattens it. A malformed event is a programming error in
 * the caller, so it raises a `TypeError` (and the statement is refused, never recorded half).
 */
export function toEventRow(event: AuditEvent): EventRow {
  checkShape(event);
  return { event, stored: { eventJson: canonicalJson(event), ...eventColumns(event) } };
}

/** The filter columns of an event. */
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
    tagSet: TAGGED_KINDS.has(event.kind) ? tagSetKey(event.verifiedTags, event.claimedTags) : '',
  };
}

/**
 * One string per set of tags, equal for equal sets whatever order they came in: the canonical
 * JSON of `{ claimed, verified }`, or '' when both are empty. It is the writer's cache key and
 * what verify compares.
 */
export function tagSetKey(verified: Record<string, string>, claimed: Record<string, string>) {
  if (isEmpty(verified) && isEmpty(claimed)) return '';
  return canonicalJson({ claimed, verified });
}

function isEmpty(tags: Record<string, string>): boolean {
  for (const _ in tags) return false;
  return true;
}

/** ISO-8601 as `Date.prototype.toISOString` writes it; such strings need no parsing. */
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Parses a time given as an ISO string, a Date or epoch milliseconds, to ISO-8601 UTC. A string
 * already in `toISOString` form (what the gateway's clock gives) is taken as it is.
 */
export function toIsoTime(value: string | number | Date, name: string): string {
  if (typeof value === 'string' && CANONICAL_TIME.test(value)) return value;
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
