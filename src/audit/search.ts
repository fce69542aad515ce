import { toIsoTime } from './event-row.js';
import type { AuditEventKind, Outcome } from './types.js';

/**
 * Filters for `searchStatements` and `searchRecords`. Every filter given must match (AND).
 * Results come newest first.
 */
export interface AuditSearch {
  /** Which events to list. Default `statement` (as folded views in `searchStatements`). */
  kind?: AuditEventKind;
  /** Exact principal name. */
  principal?: string;
  /** Verified tags that must all be present with these values (from token claims). */
  tags?: Record<string, string>;
  /** Tags the client claimed about itself, likewise. */
  claimedTags?: Record<string, string>;
  /** Exact connection name. */
  connection?: string;
  /** Events at or after this time (ISO-8601, Date or epoch ms). */
  since?: string | number | Date;
  /** Events at or before this time. */
  until?: string | number | Date;
  /** A statement's outcome (from its latest result), or a login's. */
  outcome?: Outcome;
  /** Statement type as the gateway classified it (SELECT, INSERT, DDL, ...); any case. */
  statementType?: string;
  /**
   * Words that must all appear in the statement's SQL (full-text, SQLite FTS5). A word ending in
   * `*` matches as a prefix; `_` is part of a word, as in SQL names.
   */
  text?: string;
  /** At most this many results. Default 100. */
  limit?: number;
}

export const DEFAULT_SEARCH_LIMIT = 100;

/** The SQL of a search over `audit_records s`, with its parameters in order. */
export interface SearchQuery {
  sql: string;
  params: unknown[];
}

/** Misused filters (a text search over logins, a bad time) raise a `TypeError`. */
export function buildSearch(search: AuditSearch): SearchQuery {
  const kind = search.kind ?? 'statement';
  checkFiltersApply(search, kind);

  const where = ['s.kind = ?'];
  const params: unknown[] = [kind];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };

  addRecordFilters(search, add);
  addTagFilters(search, add);
  addStatementFilters(search, kind, add);

  params.push(limitOf(search));
  return {
    sql: `SELECT s.* FROM audit_records s WHERE ${where.join(' AND ')} ORDER BY s.seq DESC LIMIT ?`,
    params,
  };
}

/**
 * Turns words into an FTS5 query: each word quoted (so SQL punctuation is not read as query
 * syntax), all required. https://www.sqlite.org/fts5.html#full_text_query_syntax
 */
export function toFtsQuery(text: string): string {
  // A word with no letter, digit or underscore holds no term; as a phrase it would match nothing.
  const words = text.split(/\s+/).filter((word) => /[\p{L}\p{N}_]/u.test(word));
  if (words.length === 0) throw new TypeError('text search needs at least one word');

  return words
    .map((word) => {
      const prefix = word.endsWith('*') && word.length > 1;
      const bare = (prefix ? word.slice(0, -1) : word).replaceAll('"', '');
      return prefix ? `"${bare}"*` : `"${bare}"`;
    })
    .join(' AND ');
}

type AddClause = (clause: string, ...values: unknown[]) => void;

function addRecordFilters(search: AuditSearch, add: AddClause): void {
  if (search.principal !== undefined) add('s.principal = ?', search.principal);
  if (search.connection !== undefined) add('s.connection = ?', search.connection);
  if (search.since !== undefined) add('s.time >= ?', toIsoTime(search.since, 'since'));
  if (search.until !== undefined) add('s.time <= ?', toIsoTime(search.until, 'until'));
}

function addTagFilters(search: AuditSearch, add: AddClause): void {
  const tagged = (source: string, tags: Record<string, string>) => {
    for (const [key, value] of Object.entries(tags)) {
      add(
        `s.tag_set_id IN (SELECT m.tag_set_id FROM audit_tag_set_members m
           JOIN audit_tag_values tv ON tv.tag_id = m.tag_id
           WHERE tv.source = ? AND tv.key = ? AND tv.value = ?)`,
        source,
        key,
        value,
      );
    }
  };

  tagged('verified', search.tags ?? {});
  tagged('claimed', search.claimedTags ?? {});
}

function addStatementFilters(search: AuditSearch, kind: AuditEventKind, add: AddClause): void {
  if (search.outcome !== undefined) {
    // A statement's outcome lives in its latest statement_result, not in the statement row.
    const outcome =
      kind === 'statement'
        ? `(SELECT r.outcome FROM audit_records r WHERE r.statement_id = s.statement_id
             AND r.kind = 'statement_result' ORDER BY r.seq DESC LIMIT 1)`
        : 's.outcome';
    add(`${outcome} = ?`, search.outcome);
  }
  if (search.statementType !== undefined) {
    add('s.statement_type = ? COLLATE NOCASE', search.statementType);
  }
  if (search.text !== undefined) {
    add('s.seq IN (SELECT rowid FROM audit_sql WHERE audit_sql MATCH ?)', toFtsQuery(search.text));
  }
}

function checkFiltersApply(search: AuditSearch, kind: AuditEventKind): void {
  if (kind !== 'statement' && search.statementType !== undefined) {
    throw new TypeError('a statement type filter applies to statements only');
  }
  if (kind !== 'statement' && search.text !== undefined) {
    throw new TypeError('text search applies to statements only');
  }
  if (search.outcome !== undefined && !['statement', 'login', 'statement_result'].includes(kind)) {
    throw new TypeError(`${kind} events have no outcome`);
  }
}

function limitOf(search: AuditSearch): number {
  const limit = search.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new TypeError('limit must be a positive integer');
  return limit;
}
