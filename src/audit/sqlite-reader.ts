import type Database from 'better-sqlite3';
import { toIsoTime } from './event-row.js';
import { foldStatement, type StatementView } from './fold.js';
import { type AuditSearch, buildSearch } from './search.js';
import {
  type RecordRow,
  type StoreVerifyReport,
  type VerifyOptions,
  verifyStore,
} from './store-verify.js';
import type { AuditRecord } from './types.js';

/** A statement with every record that makes it up, in seq order. */
export interface StatementDetail {
  view: StatementView;
  records: AuditRecord[];
}

/** Records exported between two times; both ends optional. */
export interface ExportRange {
  since?: string | number | Date;
  until?: string | number | Date;
}

/** The read side of the SQLite audit store: lookups, search, statement views, verify, export. */
export class SqliteAuditReader {
  protected readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The record at a position in the log, or null. */
  getBySeq(seq: number): AuditRecord | null {
    const row = this.db.prepare('SELECT * FROM audit_records WHERE seq = ?').get(seq);
    return row ? toRecord(row as RecordRow) : null;
  }

  /** The record with this record id, or null. */
  getById(id: string): AuditRecord | null {
    const row = this.db.prepare('SELECT * FROM audit_records WHERE id = ?').get(id);
    return row ? toRecord(row as RecordRow) : null;
  }

  /** A statement folded from its events, with the events themselves; null when unknown. */
  getStatement(statementId: string): StatementDetail | null {
    const rows = this.db
      .prepare('SELECT * FROM audit_records WHERE statement_id = ? ORDER BY seq')
      .all(statementId) as RecordRow[];
    const records = rows.map(toRecord);
    const head = records.find((record) => record.event.kind === 'statement');
    if (!head) return null;

    return { view: foldStatement(head, records), records };
  }

  /** Statements matching the filters, newest first, folded with their results and chunks. */
  searchStatements(search: Omit<AuditSearch, 'kind'> = {}): StatementView[] {
    const heads = this.searchRecords({ ...search, kind: 'statement' });
    const followers = this.#followersOf(heads);

    return heads.map((head) => {
      const statementId = (head.event as { statementId: string }).statementId;
      return foldStatement(head, followers.get(statementId) ?? []);
    });
  }

  /** Records of one kind (default `statement`) matching the filters, newest first, unfolded. */
  searchRecords(search: AuditSearch = {}): AuditRecord[] {
    const query = buildSearch(search);
    const rows = this.db.prepare(query.sql).all(...query.params) as RecordRow[];
    return rows.map(toRecord);
  }

  /** How many records the log holds. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM audit_records').get() as { n: number }).n;
  }

  /** Walks the whole chain and checks the search indexes against it; see `verifyStore`. */
  verify(options: VerifyOptions = {}): StoreVerifyReport {
    return verifyStore(this.db, options);
  }

  /**
   * The log as JSON lines, one record per line with its seq and hashes, so that a copy can be
   * verified elsewhere. A time range exports the contiguous run of records from the first at or
   * after `since` to the last at or before `until`, so the chain in the file has no holes.
   */
  *exportLines(range: ExportRange = {}): Generator<string> {
    const [from, to] = this.#seqRange(range);
    const rows = this.db
      .prepare(
        'SELECT seq, id, event, prev_hash, hash FROM audit_records WHERE seq BETWEEN ? AND ? ORDER BY seq',
      )
      .iterate(from, to) as IterableIterator<RecordRow>;

    for (const row of rows) yield exportLine(row);
  }

  #followersOf(heads: AuditRecord[]): Map<string, AuditRecord[]> {
    const ids = heads.map((head) => (head.event as { statementId: string }).statementId);
    const followers = new Map<string, AuditRecord[]>();
    if (ids.length === 0) return followers;

    const rows = this.db
      .prepare(
        `SELECT * FROM audit_records WHERE statement_id IN (SELECT value FROM json_each(?))
         AND kind != 'statement' ORDER BY seq`,
      )
      .all(JSON.stringify(ids)) as RecordRow[];
    for (const row of rows) {
      const list = followers.get(row.statement_id!) ?? [];
      list.push(toRecord(row));
      followers.set(row.statement_id!, list);
    }
    return followers;
  }

  #seqRange(range: ExportRange): [number, number] {
    const first =
      range.since === undefined
        ? 1
        : this.#seqAt('SELECT min(seq) AS seq FROM audit_records WHERE time >= ?', range.since);
    const last =
      range.until === undefined
        ? Number.MAX_SAFE_INTEGER
        : this.#seqAt('SELECT max(seq) AS seq FROM audit_records WHERE time <= ?', range.until);
    return [first ?? Number.MAX_SAFE_INTEGER, last ?? 0];
  }

  #seqAt(sql: string, time: string | number | Date): number | null {
    const row = this.db.prepare(sql).get(toIsoTime(time, 'export range')) as {
      seq: number | null;
    };
    return row.seq;
  }
}

function toRecord(row: RecordRow): AuditRecord {
  return {
    seq: row.seq,
    id: row.id,
    event: JSON.parse(row.event),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Key order is fixed for readability; the event is the stored canonical JSON, byte for byte. */
function exportLine(row: RecordRow): string {
  const head = `{"seq":${row.seq},"id":${JSON.stringify(row.id)}`;
  const hashes = `"prevHash":${JSON.stringify(row.prev_hash)},"hash":${JSON.stringify(row.hash)}`;
  return `${head},${hashes},"event":${row.event}}`;
}
