import type Database from 'better-sqlite3';
import { type EventColumns, eventColumns, tagSetKey } from './event-row.js';
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
  tag_set_id: number | null;
  event: string;
  prev_hash: string;
  hash: string;
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
  const tagSets = new TagSets(db);

  let checked = 0;
  for (const row of db.prepare('SELECT * FROM audit_records ORDER BY seq').iterate()) {
    checkRow(verifier, row as RecordRow, tagSets);
    checked += 1;
    if (checked % PROGRESS_EVERY === 0) options.onProgress?.(checked, total);
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

function checkRow(verifier: ChainVerifier, row: RecordRow, tagSets: TagSets): void {
  const link = toLink(row);
  if (!verifier.check(link)) return;

  const mismatch = indexMismatch(row, tagSets.members(row.tag_set_id));
  if (mismatch) verifier.inconsistent(link, mismatch);
}

function indexMismatch(row: RecordRow, storedTags: string): string | null {
  const expected = eventColumns(JSON.parse(row.event) as AuditEvent);

  for (const [column, field] of COPIED_COLUMNS) {
    if (row[column] !== expected[field]) {
      return `record ${row.seq}'s ${column} column says ${JSON.stringify(row[column])} but its event says ${JSON.stringify(expected[field])}`;
    }
  }

  if (expected.tagSet !== storedTags) {
    return `record ${row.seq}'s stored tags do not match the tags in its event`;
  }
  return null;
}

/** The key of a stored tag set; one that cannot match when a member has a foreign source. */
function tagSetKeyOf(members: Array<[string, string, string]>): string {
  const tags: Record<string, Record<string, string>> = { verified: {}, claimed: {} };
  for (const [source, key, value] of members) {
    if (!(source in tags)) return `unknown tag source ${JSON.stringify(source)}`;
    tags[source]![key] = value;
  }
  return tagSetKey(tags.verified!, tags.claimed!);
}

/** The tags of each stored tag set, read once each (records of one session share a set). */
class TagSets {
  readonly #members: Database.Statement;
  readonly #cache = new Map<number, string>();

  constructor(db: Database.Database) {
    this.#members = db.prepare(
      `SELECT tv.source, tv.key, tv.value FROM audit_tag_set_members m
       JOIN audit_tag_values tv ON tv.tag_id = m.tag_id WHERE m.tag_set_id = ?`,
    );
  }

  members(tagSetId: number | null): string {
    if (tagSetId === null) return '';
    const cached = this.#cache.get(tagSetId);
    if (cached !== undefined) return cached;

    const key = tagSetKeyOf(this.#members.raw().all(tagSetId) as Array<[string, string, string]>);
    if (this.#cache.size >= 10_000) this.#cache.clear();
    this.#cache.set(tagSetId, key);
    return key;
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
