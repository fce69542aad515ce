import type Database from 'better-sqlite3';
import { type EventColumns, eventColumns } from './event-row.js';
import { APPEND_ONLY_TABLES } from './schema.js';
import type { AuditEvent } from './types.js';
import { type ChainLink, ChainVerifier, type VerifyReport } from './verify.js';

export interface VerifyOptions {
  /** Called every few thousand records with how many were read and how many there are. */
  onProgress?(checked: number, total: number): void;
}

/** A store's verify report adds warnings that are not breaks (a dropped guard trigger). */
export interface StoreVerifyReport extends VerifyReport {
  warnings: string[];
}

/** A row of `audit_records` as SQLite returns it. */
export interface RecordRow {
  seq: number;
  id: string;
  kind: string;
  time: string;
  statement_id: string | null;
  principal: string | null;
  connection: string | null;
  outcome: string | null;
  statement_type: string | null;
  event: string;
  prev_hash: string;
  hash: string;
}

interface TagRow {
  seq: number;
  source: string;
  key: string;
  value: string;
}

const PROGRESS_EVERY = 5000;

const GUARD_TRIGGERS = APPEND_ONLY_TABLES.flatMap((table) => [
  `${table}_no_update`,
  `${table}_no_delete`,
]);

/** Columns copied from the event; each must still equal the event's own value. */
const COPIED_COLUMNS: Array<[keyof RecordRow, keyof EventColumns]> = [
  ['kind', 'kind'],
  ['time', 'time'],
  ['statement_id', 'statementId'],
  ['principal', 'principal'],
  ['connection', 'connection'],
  ['outcome', 'outcome'],
  ['statement_type', 'statementType'],
];

/**
 * Walks the whole chain of a store from seq 1, recomputing every hash. Beyond the chain it
 * checks what search relies on: the filter columns and tags of each record must match its
 * (hashed) event, or a record could be hidden from search without touching the chain. And it
 * compares the last seq with the highest seq SQLite ever handed out, which catches records
 * deleted from the end (unless `sqlite_sequence` was rewritten too; signed checkpoints are what
 * closes that gap).
 */
export function verifyStore(db: Database.Database, options: VerifyOptions = {}): StoreVerifyReport {
  const total = (db.prepare('SELECT count(*) AS n FROM audit_records').get() as { n: number }).n;
  const verifier = new ChainVerifier({ fromGenesis: true });
  const tags = new TagCursor(db);

  let checked = 0;
  try {
    for (const row of db.prepare('SELECT * FROM audit_records ORDER BY seq').iterate()) {
      checkRow(verifier, row as RecordRow, tags);
      checked += 1;
      if (checked % PROGRESS_EVERY === 0) options.onProgress?.(checked, total);
    }
  } finally {
    tags.close();
  }
  options.onProgress?.(checked, total);

  verifier.missingAfterHead(highestSeqIssued(db));
  return { ...verifier.report(), warnings: guardWarnings(db) };
}

/** The chain fields of a row, as the verifier takes them. */
export function toLink(row: RecordRow): ChainLink {
  return {
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    prevHash: row.prev_hash,
    hash: row.hash,
    eventJson: row.event,
  };
}

function checkRow(verifier: ChainVerifier, row: RecordRow, tags: TagCursor): void {
  const link = toLink(row);
  const storedTags = tags.take(row.seq);
  if (!verifier.check(link)) return;

  const mismatch = indexMismatch(row, storedTags);
  if (mismatch) verifier.inconsistent(link, mismatch);
}

function indexMismatch(row: RecordRow, storedTags: string[]): string | null {
  const expected = eventColumns(JSON.parse(row.event) as AuditEvent);

  for (const [column, field] of COPIED_COLUMNS) {
    if (row[column] !== expected[field]) {
      return `record ${row.seq}'s ${column} column says ${JSON.stringify(row[column])} but its event says ${JSON.stringify(expected[field])}`;
    }
  }

  const expectedTags = expected.tags.map((tag) => tag.join('\u0000')).sort();
  if (expectedTags.join('\u0001') !== storedTags.join('\u0001')) {
    return `record ${row.seq}'s tag rows do not match the tags in its event`;
  }
  return null;
}

/** Reads tag rows in seq order alongside the records, one record's tags at a time. */
class TagCursor {
  readonly #rows: Iterator<TagRow>;
  #next: TagRow | undefined;

  constructor(db: Database.Database) {
    const statement = db.prepare('SELECT seq, source, key, value FROM audit_tags ORDER BY seq');
    this.#rows = statement.iterate() as Iterator<TagRow>;
    this.#advance();
  }

  /** The tags of `seq`, sorted; tag rows of seqs with no record are skipped. */
  take(seq: number): string[] {
    while (this.#next && this.#next.seq < seq) this.#advance();

    const tags: string[] = [];
    while (this.#next && this.#next.seq === seq) {
      tags.push([this.#next.source, this.#next.key, this.#next.value].join('\u0000'));
      this.#advance();
    }
    return tags.sort();
  }

  /** Ends the read early; the connection runs no other statement while a cursor is open. */
  close(): void {
    this.#rows.return?.();
  }

  #advance(): void {
    const step = this.#rows.next();
    this.#next = step.done ? undefined : step.value;
  }
}

function highestSeqIssued(db: Database.Database): number {
  const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_records'").get() as
    | { seq: number }
    | undefined;
  return row?.seq ?? 0;
}

function guardWarnings(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{
    name: string;
  }>;
  const present = new Set(rows.map((row) => row.name));

  return GUARD_TRIGGERS.filter((name) => !present.has(name)).map(
    (name) => `the append-only guard ${name} is missing: the store was changed outside Tollgate`,
  );
}
